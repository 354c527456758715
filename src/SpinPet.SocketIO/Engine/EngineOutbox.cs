namespace SpinPet.SocketIO.Engine;

/// <summary>
/// A session's outgoing packets, bounded in bytes, drained by one transport at a time (the pending polling GET or
/// the websocket writer). Enqueueing never waits: a packet that would take the outbox past its bound is refused, the
/// queue is dropped and the outbox closed, and the session is then closed (the slow-consumer policy). A packet
/// counts its length plus <see cref="EntryOverheadBytes"/> from queueing until the transport reports it sent, so a
/// client that stops reading holds at most the bound.
/// <para>
/// With an <see cref="ISocketIOOutboxCredit"/> (the host's shared budgets: <c>websocket.max_outbox_bytes_per_ip</c>
/// and <c>websocket.max_outbox_bytes_total</c>) a packet is also refused when the credit cannot cover what the outbox
/// would hold (<see cref="OutboxResult.BudgetSpent"/>); the credit hears of every decrease, so it gives back what the
/// outbox no longer needs, and everything once the outbox is closed and empty.
/// </para>
/// </summary>
internal sealed class EngineOutbox(long maxBytes, ISocketIOOutboxCredit? credit = null)
{
    /// <summary>What a queue entry costs beyond its bytes (the 48-byte entry, its share of the queue's array, slack).</summary>
    public const int EntryOverheadBytes = 64;

    private readonly Lock _gate = new();
    private readonly Queue<EngineTextMessage> _queue = new();
    private long _bytes;
    private long _peakBytes;
    private bool _closed;
    private bool _wakeRequested;
    private TaskCompletionSource<OutboxWake>? _waiter;

    /// <summary>Bytes queued plus bytes handed to a transport whose send has not completed.</summary>
    public long QueuedBytes
    {
        get
        {
            lock (_gate)
            {
                return _bytes;
            }
        }
    }

    /// <summary>The most <see cref="QueuedBytes"/> has been.</summary>
    public long PeakBytes
    {
        get
        {
            lock (_gate)
            {
                return _peakBytes;
            }
        }
    }

    public bool IsClosed
    {
        get
        {
            lock (_gate)
            {
                return _closed;
            }
        }
    }

    public OutboxResult TryEnqueue(in EngineTextMessage message)
    {
        TaskCompletionSource<OutboxWake>? waiter;
        OutboxResult result;
        lock (_gate)
        {
            if (_closed)
            {
                return OutboxResult.Closed;
            }
            long cost = (long)message.Length + EntryOverheadBytes;
            bool overBound = _bytes + cost > maxBytes;
            if (overBound || (credit is not null && !credit.TryCover(_bytes + cost)))
            {
                // Over the bound or the shared budget: nothing more is taken and what waits is dropped (the session
                // is closed next).
                _closed = true;
                DropQueued();
                result = overBound ? OutboxResult.Overflow : OutboxResult.BudgetSpent;
            }
            else
            {
                _queue.Enqueue(message);
                _bytes += cost;
                _peakBytes = Math.Max(_peakBytes, _bytes);
                result = OutboxResult.Accepted;
            }
            waiter = TakeWaiter();
        }
        waiter?.TrySetResult(result == OutboxResult.Accepted ? OutboxWake.Ready : OutboxWake.Closed);
        return result;
    }

    /// <summary>
    /// Takes up to <paramref name="maxCount"/> packets; their bytes stay counted until <see cref="Release"/>.
    /// Returns the bytes taken; <paramref name="finished"/> says, atomically with the take, that the outbox is closed
    /// and nothing is left (the transport ends the session after these packets).
    /// </summary>
    public long Drain(List<EngineTextMessage> into, int maxCount, out bool finished)
    {
        long taken = 0;
        lock (_gate)
        {
            while (into.Count < maxCount && _queue.TryDequeue(out var message))
            {
                into.Add(message);
                taken += (long)message.Length + EntryOverheadBytes;
            }
            finished = _closed && _queue.Count == 0;
        }
        return taken;
    }

    /// <summary>The send that carried <paramref name="bytes"/> completed (or failed): they no longer count.</summary>
    public void Release(long bytes)
    {
        lock (_gate)
        {
            _bytes = Math.Max(0, _bytes - bytes);
            credit?.Trim(_bytes, _closed);
        }
    }

    /// <summary>No more packets are taken; with <paramref name="discard"/> the queued ones are dropped too.</summary>
    public void Close(bool discard)
    {
        TaskCompletionSource<OutboxWake>? waiter;
        OutboxWake wake;
        lock (_gate)
        {
            _closed = true;
            if (discard)
            {
                DropQueued();
            }
            else
            {
                credit?.Trim(_bytes, final: true);
            }
            wake = _queue.Count > 0 ? OutboxWake.Ready : OutboxWake.Closed;
            waiter = TakeWaiter();
        }
        waiter?.TrySetResult(wake);
    }

    /// <summary>Wakes the drainer without a packet (a polling GET that must return now, e.g. to pause for an upgrade).</summary>
    public void Wake()
    {
        TaskCompletionSource<OutboxWake>? waiter;
        lock (_gate)
        {
            _wakeRequested = true;
            waiter = TakeWaiter();
        }
        waiter?.TrySetResult(OutboxWake.Woken);
    }

    /// <summary>
    /// Completes when there is something to drain (<see cref="OutboxWake.Ready"/>), when the outbox is closed and
    /// empty (<see cref="OutboxWake.Closed"/>), or on <see cref="Wake"/>. One waiter at a time.
    /// </summary>
    public ValueTask<OutboxWake> WaitAsync(CancellationToken ct)
    {
        TaskCompletionSource<OutboxWake> waiter;
        lock (_gate)
        {
            if (_queue.Count > 0)
            {
                return new ValueTask<OutboxWake>(OutboxWake.Ready);
            }
            if (_closed)
            {
                return new ValueTask<OutboxWake>(OutboxWake.Closed);
            }
            if (_wakeRequested)
            {
                _wakeRequested = false;
                return new ValueTask<OutboxWake>(OutboxWake.Woken);
            }
            if (_waiter is not null)
            {
                throw new InvalidOperationException("One drainer waits on an outbox at a time.");
            }
            waiter = new TaskCompletionSource<OutboxWake>(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiter = waiter;
        }
        return ct.CanBeCanceled ? WaitCancellableAsync(waiter, ct) : new ValueTask<OutboxWake>(waiter.Task);
    }

    private async ValueTask<OutboxWake> WaitCancellableAsync(TaskCompletionSource<OutboxWake> waiter, CancellationToken ct)
    {
        try
        {
            return await waiter.Task.WaitAsync(ct);
        }
        finally
        {
            lock (_gate)
            {
                if (ReferenceEquals(_waiter, waiter))
                {
                    _waiter = null;
                }
            }
        }
    }

    private TaskCompletionSource<OutboxWake>? TakeWaiter()
    {
        var waiter = _waiter;
        _waiter = null;
        _wakeRequested = waiter is null && _wakeRequested;
        return waiter;
    }

    private void DropQueued()
    {
        while (_queue.TryDequeue(out var dropped))
        {
            _bytes -= (long)dropped.Length + EntryOverheadBytes;
        }
        credit?.Trim(_bytes, _closed);
    }
}

internal enum OutboxResult
{
    Accepted,

    /// <summary>Past the session's own bound (<see cref="SocketIOServerOptions.MaxOutboxBytes"/>).</summary>
    Overflow,

    /// <summary>The shared outbox budget (its address's or the server's) had no room.</summary>
    BudgetSpent,
    Closed,
}

internal enum OutboxWake
{
    Ready,
    Woken,
    Closed,
}
