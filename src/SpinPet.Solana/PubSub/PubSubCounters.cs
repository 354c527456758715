namespace SpinPet.Solana.PubSub;

/// <summary>What the PubSub connection saw, counted for /metrics and the status route.</summary>
public sealed class PubSubCounters
{
    private long _connects;
    private long _disconnects;
    private long _notifications;
    private long _garbage;
    private long _oversize;
    private long _dropped;
    private long _subscribeRefused;
    private long _readerFailures;

    public long ConnectCount => Volatile.Read(ref _connects);

    public long DisconnectCount => Volatile.Read(ref _disconnects);

    public long NotificationCount => Volatile.Read(ref _notifications);

    /// <summary>Frames that were not JSON, had wrong types, or named an unknown method or subscription.</summary>
    public long GarbageCount => Volatile.Read(ref _garbage);

    public long OversizeCount => Volatile.Read(ref _oversize);

    /// <summary>Notifications dropped because the live queue was full (recovered by a resync).</summary>
    public long DroppedCount => Volatile.Read(ref _dropped);

    /// <summary>Connections ended because the node refused logsSubscribe (error or no subscription id).</summary>
    public long SubscribeRefusedCount => Volatile.Read(ref _subscribeRefused);

    /// <summary>Connections ended by an exception that is not a network failure (a bug or an unforeseen answer).</summary>
    public long ReaderFailureCount => Volatile.Read(ref _readerFailures);

    internal void Connected() => Interlocked.Increment(ref _connects);

    internal void Disconnected() => Interlocked.Increment(ref _disconnects);

    internal void Notification() => Interlocked.Increment(ref _notifications);

    internal void Garbage() => Interlocked.Increment(ref _garbage);

    internal void Oversize() => Interlocked.Increment(ref _oversize);

    internal void Dropped() => Interlocked.Increment(ref _dropped);

    internal void SubscribeRefused() => Interlocked.Increment(ref _subscribeRefused);

    internal void ReaderFailed() => Interlocked.Increment(ref _readerFailures);
}
