using SpinPet.WebSockets;

namespace SpinPet.Streaming;

/// <summary>What the /ws service did, for /metrics and the status routes (design document §7.2).</summary>
/// <param name="frameLimit">The inbound limit whose refusals <see cref="RateLimitedMessages"/> reports.</param>
public sealed class StreamingCounters(FrameRateLimit? frameLimit = null)
{
    private long _activeConnections;
    private long _totalConnections;
    private long _refusedConnections;
    private long _subscriptions;
    private long _messagesSent;
    private long _messagesFailed;
    private long _slowConsumerCloses;
    private long _conflated;
    private long _snapshotRetries;
    private long _invalidRequests;
    private long _compressedMessages;
    private long _broadcastDropped;
    private long _broadcastResyncs;
    private long _outboxPeakBytes;
    private long _outboxBudgetCloses;

    public long ActiveConnections => Volatile.Read(ref _activeConnections);

    public long TotalConnections => Volatile.Read(ref _totalConnections);

    public long RefusedConnections => Volatile.Read(ref _refusedConnections);

    public long Subscriptions => Volatile.Read(ref _subscriptions);

    public long MessagesSent => Volatile.Read(ref _messagesSent);

    public long MessagesFailed => Volatile.Read(ref _messagesFailed);

    public long SlowConsumerCloses => Volatile.Read(ref _slowConsumerCloses);

    public long ConflatedUpdates => Volatile.Read(ref _conflated);

    public long SnapshotRetries => Volatile.Read(ref _snapshotRetries);

    /// <summary>Inbound frames refused by the connections' token buckets (a dropped message, ping or pong).</summary>
    public long RateLimitedMessages => frameLimit?.RefusedFrames ?? 0;

    public long InvalidRequests => Volatile.Read(ref _invalidRequests);

    /// <summary>Messages sent compressed (permessage-deflate); a candle frame is compressed once however many get it.</summary>
    public long CompressedMessages => Volatile.Read(ref _compressedMessages);

    /// <summary>
    /// Candle states dropped because the fan-out queue (<c>kline.broadcast_buffer_size</c>) was full; their topics'
    /// subscribers were brought up to date from storage instead (<see cref="BroadcastResyncs"/>).
    /// </summary>
    public long BroadcastDroppedUpdates => Volatile.Read(ref _broadcastDropped);

    /// <summary>Topics whose subscribers were resynchronized from storage after the fan-out queue overflowed.</summary>
    public long BroadcastResyncs => Volatile.Read(ref _broadcastResyncs);

    /// <summary>
    /// The most bytes any connection's outbox has held (queued messages and the send in progress), observed when a
    /// connection ends or overflows; never more than <c>websocket.max_outbox_bytes</c>.
    /// </summary>
    public long OutboxPeakBytes => Volatile.Read(ref _outboxPeakBytes);

    /// <summary>
    /// Slow consumers closed because their address's connections, or all connections, had no outbox budget left
    /// (<c>websocket.max_outbox_bytes_per_ip</c>, <c>max_outbox_bytes_total</c>); also counted in <see cref="SlowConsumerCloses"/>.
    /// </summary>
    public long OutboxBudgetCloses => Volatile.Read(ref _outboxBudgetCloses);

    /// <summary>Observed whenever a candle frame is handed to a socket: publish-to-send latency.</summary>
    public event Action<double>? BroadcastLatencyMs;

    internal void Connected()
    {
        Interlocked.Increment(ref _activeConnections);
        Interlocked.Increment(ref _totalConnections);
    }

    internal void Disconnected() => Interlocked.Decrement(ref _activeConnections);

    public void Refused() => Interlocked.Increment(ref _refusedConnections);

    internal void SubscriptionAdded() => Interlocked.Increment(ref _subscriptions);

    internal void SubscriptionRemoved() => Interlocked.Decrement(ref _subscriptions);

    internal void Sent(int messages) => Interlocked.Add(ref _messagesSent, messages);

    internal void Failed(int messages) => Interlocked.Add(ref _messagesFailed, messages);

    internal void SlowConsumer() => Interlocked.Increment(ref _slowConsumerCloses);

    internal void OutboxBudgetClose() => Interlocked.Increment(ref _outboxBudgetCloses);

    internal void Conflated(long count) => Interlocked.Add(ref _conflated, count);

    internal void SnapshotRetry() => Interlocked.Increment(ref _snapshotRetries);

    internal void InvalidRequest() => Interlocked.Increment(ref _invalidRequests);

    internal void BroadcastDropped(int states) => Interlocked.Add(ref _broadcastDropped, states);

    internal void BroadcastResync() => Interlocked.Increment(ref _broadcastResyncs);

    internal void Compressed(int messages) => Interlocked.Add(ref _compressedMessages, messages);

    internal void OutboxPeak(long bytes)
    {
        long known = Volatile.Read(ref _outboxPeakBytes);
        while (bytes > known)
        {
            long seen = Interlocked.CompareExchange(ref _outboxPeakBytes, bytes, known);
            if (seen == known)
            {
                return;
            }
            known = seen;
        }
    }

    internal void Latency(double milliseconds) => BroadcastLatencyMs?.Invoke(milliseconds);
}
