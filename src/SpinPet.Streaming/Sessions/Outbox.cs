using SpinPet.Streaming.Protocol;
using SpinPet.Streaming.Topics;

namespace SpinPet.Streaming.Sessions;

/// <summary>
/// A connection's bounded outgoing queue. Publishing never waits: enqueueing is a short lock and a signal.
/// Slow-consumer policy (protocol.md): a realtime candle frame still queued when a newer state of the same candle
/// arrives is replaced in place (conflation, so a slow client gets the newest state, not a backlog); final states
/// and replies are never dropped; a client whose queue still exceeds the bound is marked for closing (1008).
/// </summary>
public sealed class Outbox(int maxFrames)
{
    private readonly Lock _gate = new();
    private readonly Queue<OutboundFrame> _queue = new();
    // At most one pending wake-up: a writer that drains everything it finds needs no more.
    private readonly SemaphoreSlim _signal = new(0, 1);
    private bool _overflowed;
    private bool _completed;

    // Someone owns the connection's send side: the write loop with a batch in hand, or the broadcaster sending a
    // frame straight to the socket. Frames leave in queue order because only an owner sends and a direct send is
    // only allowed while the queue is empty.
    private bool _sending;

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

    public bool Overflowed => Volatile.Read(ref _overflowed);

    private long _conflated;

    /// <summary>Realtime frames replaced in place by newer ones since the last <see cref="TakeConflated"/>.</summary>
    public long Conflated => Volatile.Read(ref _conflated);

    public long TakeConflated() => Interlocked.Exchange(ref _conflated, 0);

    /// <summary>Queues a reply; false when the queue overflowed (the caller closes the client).</summary>
    public bool Enqueue(OutboundFrame frame)
    {
        lock (_gate)
        {
            if (_completed)
            {
                return true;
            }
            _queue.Enqueue(frame);
            if (_queue.Count > maxFrames)
            {
                _overflowed = true;
            }
        }
        Wake();
        return !_overflowed;
    }

    /// <summary>Queues a candle frame for a subscription, conflating a queued realtime state of the same candle.</summary>
    public bool EnqueueCandle(Subscriber subscriber, KlineFrame frame)
    {
        lock (_gate)
        {
            if (_completed || subscriber.Detached)
            {
                return true;
            }
            var pending = subscriber.PendingRealtime;
            if (!frame.IsFinal && pending is not null)
            {
                pending.Kline = frame;
                _conflated++;
                return true;
            }
            if (frame.IsFinal && pending is not null)
            {
                // The final state supersedes a queued realtime one of the same candle, and later states must queue
                // behind the final: the slot is closed either way.
                pending.Superseded = pending.Kline!.Candle.Time == frame.Candle.Time;
                subscriber.PendingRealtime = null;
            }
            var item = OutboundFrame.Candle(subscriber, frame);
            if (!frame.IsFinal)
            {
                subscriber.PendingRealtime = item;
            }
            _queue.Enqueue(item);
            if (_queue.Count > maxFrames)
            {
                _overflowed = true;
            }
        }
        Wake();
        return !_overflowed;
    }

    /// <summary>
    /// Claims the send side for one frame sent directly by the caller, without queueing it: only when nothing is
    /// queued and nobody is sending (and the subscription is attached). The claimer calls <see cref="EndSend"/> when
    /// its send completed.
    /// </summary>
    public bool TryClaimIdle(Subscriber subscriber)
    {
        lock (_gate)
        {
            if (_sending || _completed || _queue.Count != 0 || subscriber.Detached)
            {
                return false;
            }
            _sending = true;
            return true;
        }
    }

    /// <summary>
    /// Ends a subscription's frames: from now on none is queued or sent directly. Called before the reply that ends
    /// it (<c>unsubscribe_confirmed</c>, or the new subscription's <c>history_data</c>) is queued, so no frame of it
    /// can follow that reply. Under the queue's lock because the broadcaster checks the flag under it while it
    /// queues; a check outside would race (checked, then detached and answered, then queued after the answer).
    /// </summary>
    public void Detach(Subscriber subscriber)
    {
        lock (_gate)
        {
            subscriber.Detached = true;
        }
    }

    /// <summary>Releases the send side; wakes the writer when frames were queued meanwhile.</summary>
    public void EndSend(bool wakeWriter)
    {
        bool wake;
        lock (_gate)
        {
            _sending = false;
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
    /// A non-empty batch claims the send side until <see cref="EndSend"/>.
    /// </summary>
    public void TakeBatch(List<OutboundFrame> batch, int max)
    {
        lock (_gate)
        {
            if (_sending)
            {
                return;
            }
            while (batch.Count < max && _queue.TryDequeue(out var frame))
            {
                if (frame.Superseded)
                {
                    continue;
                }
                if (frame.Subscriber is { } subscriber && ReferenceEquals(subscriber.PendingRealtime, frame))
                {
                    subscriber.PendingRealtime = null;
                }
                batch.Add(frame);
            }
            _sending = batch.Count > 0;
        }
    }

    public Task WaitAsync(CancellationToken ct) => _signal.WaitAsync(ct);

    /// <summary>Stops accepting frames (the connection is closing) and wakes the writer.</summary>
    public void Complete()
    {
        lock (_gate)
        {
            _completed = true;
            _queue.Clear();
        }
        Wake();
    }

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
