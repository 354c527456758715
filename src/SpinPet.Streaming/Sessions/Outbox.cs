using SpinPet.Streaming.Topics;

namespace SpinPet.Streaming.Sessions;

/// <summary>
/// A connection's outgoing queue, bounded in bytes. Publishing never waits: enqueueing is a short lock and a signal.
/// Slow-consumer policy (docs/protocol.md): a realtime candle frame still queued when a newer state of the same candle
/// arrives is replaced in place (conflation, so a slow client gets the newest state, not a backlog); final states
/// and replies are never dropped while the client is served; a message that would take the queue past its bound is
/// refused instead, the queue is emptied and the client is closed (1008).
/// </summary>
/// <remarks>
/// The bound counts every message from the moment it is queued until the send that carries it completes (the
/// writer's batch, or a candle frame sent straight to the socket), as its length on the wire plus
/// <see cref="EntryOverheadBytes"/>, so what one connection holds in messages never exceeds it.
/// <para>
/// With a <see cref="OutboxBudget"/> (its address's), the first <see cref="FreeBytes"/> are the connection's own;
/// beyond them it holds only what it reserved from its address's budget and the process's, in chunks of
/// <see cref="CreditChunkBytes"/>. A message it cannot get credit for is refused like one past the bound.
/// </para>
/// </remarks>
public sealed class Outbox(long maxBytes, OutboxBudget? budget = null)
{
    /// <summary>
    /// What a queued message costs beyond its bytes: the queue entry (a 48-byte ring slot), a candle frame's share of
    /// its <see cref="KlineFrame"/>, array headers; rounded up.
    /// </summary>
    public const int EntryOverheadBytes = 128;

    /// <summary>
    /// What a connection holds without asking any shared budget: a chart client's steady state is a few KB (the
    /// greeting with the default 100 symbols ~5 KB, a subscription's default 100-candle history ~27 KB, candle frames
    /// of ~300 B that leave as they come), so publishing to it never touches a counter another connection shares.
    /// 10,000 connections hold at most 625 MiB in allowances.
    /// </summary>
    public const int FreeBytes = 64 * 1024;

    /// <summary>
    /// Credit is reserved and given back in these: an outbox touches the shared counters at most once per 64 KiB it
    /// grows or drains (about 200 candle frames), and keeps up to one chunk to spare so one hovering at a chunk's
    /// edge does not take and return it per frame. A 272 KB history takes 4–5 chunks.
    /// </summary>
    public const int CreditChunkBytes = 64 * 1024;

    private readonly Lock _gate = new();
    private readonly FrameRing _queue = new();
    // At most one pending wake-up: a writer that drains everything it finds needs no more.
    private readonly SemaphoreSlim _signal = new(0, 1);
    private bool _overflowed;
    private OutboxOverflow _overflow;
    private bool _completed;

    // Bytes reserved from the budget beyond FreeBytes; only under _gate.
    private readonly OutboxCredit? _credit = budget is null ? null : new OutboxCredit(budget);

    // Someone owns the connection's send side: the write loop with a batch in hand, or the broadcaster sending a
    // frame straight to the socket. Frames leave in queue order because only an owner sends and a direct send is
    // only allowed while the queue is empty.
    private bool _sending;

    // Bytes held: queued messages plus those of the send in progress (_sendingBytes of them), released by EndSend.
    private long _bytes;
    private long _sendingBytes;
    private long _peakBytes;
    private long _conflated;

    public long MaxBytes { get; } = maxBytes;

    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _queue.Count;
            }
        }
    }

    /// <summary>Bytes held now: queued messages and the send in progress.</summary>
    public long Bytes => Volatile.Read(ref _bytes);

    /// <summary>The most bytes this outbox has held (never more than <see cref="MaxBytes"/>).</summary>
    public long PeakBytes => Volatile.Read(ref _peakBytes);

    public bool Overflowed => Volatile.Read(ref _overflowed);

    /// <summary>Why the outbox overflowed: its own bound, or a budget without room (<see cref="OutboxOverflow.None"/> before).</summary>
    public OutboxOverflow OverflowCause
    {
        get
        {
            lock (_gate)
            {
                return _overflow;
            }
        }
    }

    /// <summary>Bytes reserved from the budget now, beyond <see cref="FreeBytes"/>.</summary>
    public long Credit
    {
        get
        {
            lock (_gate)
            {
                return _credit?.Reserved ?? 0;
            }
        }
    }

    /// <summary>Realtime frames replaced in place by newer ones since the last <see cref="TakeConflated"/>.</summary>
    public long Conflated => Volatile.Read(ref _conflated);

    public long TakeConflated() => Interlocked.Exchange(ref _conflated, 0);

    /// <summary>Queues a reply (or a ping); false when it would exceed the bound (the caller closes the client).</summary>
    public bool Enqueue(OutboundFrame frame)
    {
        lock (_gate)
        {
            if (_completed)
            {
                return true;
            }
            long bytes = frame.IsPing ? EntryOverheadBytes : frame.WireLength + EntryOverheadBytes;
            if (_overflowed || !TryCharge(bytes))
            {
                return false;
            }
            frame.Bytes = bytes;
            _queue.Enqueue(frame);
        }
        Wake();
        return true;
    }

    /// <summary>
    /// Queues a candle frame for a subscription, conflating a queued realtime state of the same candle. Without
    /// <paramref name="wake"/> the writer is not woken: the caller sends what is queued itself (<see cref="TakeBatch"/>)
    /// unless someone owns the send side, whose <see cref="EndSend"/> or next batch takes it.
    /// </summary>
    public bool EnqueueCandle(ClientSubscription subscriber, KlineFrame frame, bool wake = true)
    {
        lock (_gate)
        {
            if (_completed || subscriber.Detached)
            {
                return true;
            }
            if (_overflowed)
            {
                return false;
            }
            long bytes = frame.Length(subscriber.SubscriptionIdJson.Length) + EntryOverheadBytes;
            long pending = subscriber.PendingRealtime;
            bool hasPending = _queue.Holds(pending);
            if (!frame.IsFinal && hasPending)
            {
                ref var queued = ref _queue[pending];
                // Same subscription, so the same id: only the candle's length may differ by a few bytes.
                if (!TryCharge(bytes - queued.Bytes))
                {
                    return false;
                }
                queued.Kline = frame;
                queued.Bytes = bytes;
                _conflated++;
                return true;
            }
            if (!TryCharge(bytes))
            {
                return false;
            }
            if (frame.IsFinal && hasPending)
            {
                // The final state supersedes a queued realtime one of the same candle, and later states must queue
                // behind the final: the slot is closed either way.
                ref var queued = ref _queue[pending];
                queued.Superseded = queued.Kline!.Candle.Time == frame.Candle.Time;
                subscriber.PendingRealtime = 0;
            }
            var item = OutboundFrame.Candle(subscriber, frame);
            item.Bytes = bytes;
            long sequence = _queue.Enqueue(item);
            if (!frame.IsFinal)
            {
                subscriber.PendingRealtime = sequence;
            }
        }
        if (wake)
        {
            Wake();
        }
        return true;
    }

    /// <summary>
    /// Queues an event frame of an event subscription (<paramref name="frame"/> holds its id as the piece): never
    /// conflated; nothing once the subscription is detached; false when it would exceed the bound (the caller closes the client).
    /// </summary>
    public bool EnqueueEvent(ClientEventSubscription subscriber, OutboundFrame frame)
    {
        ArgumentNullException.ThrowIfNull(subscriber);
        lock (_gate)
        {
            if (_completed || subscriber.Detached)
            {
                return true;
            }
            long bytes = frame.WireLength + EntryOverheadBytes;
            if (_overflowed || !TryCharge(bytes))
            {
                return false;
            }
            frame.Bytes = bytes;
            _queue.Enqueue(frame);
        }
        Wake();
        return true;
    }

    /// <summary>
    /// Claims the send side for one frame of <paramref name="bytes"/> on the wire sent directly by the caller,
    /// without queueing it: only when nothing is queued and nobody is sending (and the subscription is attached). The
    /// claimer calls <see cref="EndSend"/> when its send completed.
    /// </summary>
    public bool TryClaimIdle(ClientSubscription subscriber, int bytes)
    {
        lock (_gate)
        {
            if (_sending || _completed || _overflowed || _queue.Count != 0 || subscriber.Detached)
            {
                return false;
            }
            _sending = true;
            // The queue is empty, so one frame (a few hundred bytes) is always within the bound.
            _sendingBytes = bytes + EntryOverheadBytes;
            _bytes += _sendingBytes;
            _peakBytes = Math.Max(_peakBytes, _bytes);
            return true;
        }
    }

    /// <summary>
    /// Ends a subscription's frames: from now on none is queued or sent directly. Called before the reply that ends
    /// it (<c>unsubscribe_confirmed</c>, or the new subscription's <c>history_data</c>) is queued, so no frame of it
    /// can follow that reply. Under the queue's lock because the broadcaster checks the flag under it while it
    /// queues; a check outside would race (checked, then detached and answered, then queued after the answer).
    /// </summary>
    public void Detach(ClientSubscription subscriber)
    {
        lock (_gate)
        {
            subscriber.Detached = true;
        }
    }

    /// <summary>Ends an event subscription's frames, as <see cref="Detach(ClientSubscription)"/> does a candle subscription's.</summary>
    public void Detach(ClientEventSubscription subscriber)
    {
        ArgumentNullException.ThrowIfNull(subscriber);
        lock (_gate)
        {
            subscriber.Detached = true;
        }
    }

    /// <summary>Releases the send side and the bytes of what it sent; wakes the writer when frames were queued meanwhile.</summary>
    public void EndSend(bool wakeWriter)
    {
        bool wake;
        lock (_gate)
        {
            _sending = false;
            _bytes -= _sendingBytes;
            _sendingBytes = 0;
            ReleaseSpareCredit();
            wake = wakeWriter && _queue.Count != 0;
        }
        if (wake)
        {
            Wake();
        }
    }

    /// <summary>
    /// Moves up to <paramref name="max"/> frames into <paramref name="batch"/> and frees their conflation slots;
    /// takes nothing while a direct send owns the send side (its <see cref="EndSend"/> wakes the writer again).
    /// A non-empty batch claims the send side, and keeps its bytes counted, until <see cref="EndSend"/>.
    /// </summary>
    /// <returns>
    /// True when it took frames and claimed the send side. Callers go by this, not by the list: a list shared by the
    /// possible owners may hold the current owner's batch.
    /// </returns>
    public bool TakeBatch(List<OutboundFrame> batch, int max)
    {
        lock (_gate)
        {
            if (_sending)
            {
                return false;
            }
            long taken = 0;
            while (batch.Count < max && _queue.TryDequeue(out var frame, out long sequence))
            {
                long bytes = frame.Bytes;
                if (frame.Superseded)
                {
                    _bytes -= bytes;
                    continue;
                }
                taken += bytes;
                if (frame.Subscriber is { } subscriber && subscriber.PendingRealtime == sequence)
                {
                    subscriber.PendingRealtime = 0;
                }
                batch.Add(frame);
            }
            _sending = batch.Count > 0;
            _sendingBytes = taken;
            ReleaseSpareCredit();
            return _sending;
        }
    }

    /// <summary>
    /// Waits for frames (or a wake-up). No token: a cancellable <c>SemaphoreSlim</c> wait allocates ~430 bytes more per
    /// wait, which an idle connection's writer holds for as long as it idles (decision 0014); a writer that must stop
    /// is woken by <see cref="WakeWriter"/> instead.
    /// </summary>
    public Task WaitAsync() => _signal.WaitAsync();

    /// <summary>Wakes the writer with nothing new, so it sees that its session is closing.</summary>
    public void WakeWriter() => Wake();

    /// <summary>Stops accepting frames (the connection is closing), drops what is queued and wakes the writer.</summary>
    public void Complete()
    {
        lock (_gate)
        {
            _completed = true;
            DropQueued();
        }
        Wake();
    }

    /// <summary>
    /// Counts <paramref name="bytes"/> more, or, when that would pass the bound or needs credit the budget does not
    /// have, marks the outbox overflowed and drops what is queued: the client is closed, so nothing more is sent to it
    /// but the send in progress and the close.
    /// </summary>
    private bool TryCharge(long bytes)
    {
        long after = _bytes + bytes;
        var overflow = after > MaxBytes ? OutboxOverflow.Bound
            : _credit?.TryCover(after) ?? OutboxOverflow.None;
        if (overflow != OutboxOverflow.None)
        {
            _overflowed = true;
            _overflow = overflow;
            DropQueued();
            return false;
        }
        _bytes = after;
        _peakBytes = Math.Max(_peakBytes, _bytes);
        return true;
    }

    private void DropQueued()
    {
        _queue.Clear();
        _bytes = _sendingBytes;
        ReleaseSpareCredit();
    }

    /// <summary>Gives back the credit the outbox no longer needs (<see cref="OutboxCredit.Trim"/>).</summary>
    private void ReleaseSpareCredit() => _credit?.Trim(_bytes, final: _overflowed || _completed);

    private void Wake()
    {
        if (_signal.CurrentCount == 0)
        {
            try
            {
                _signal.Release();
            }
            catch (SemaphoreFullException)
            {
                // Another thread woke the writer between the check and the release: one wake-up is enough.
            }
        }
    }
}
