namespace SpinPet.SocketIO;

/// <summary>What the Socket.IO endpoint did, for /metrics and the status route. Every rejection is counted here.</summary>
public sealed class SocketIOCounters
{
    private long _activeSessions;
    private long _pollingSessions;
    private long _totalSessions;
    private long _refusedRequests;
    private long _refusedAtCapacity;
    private long _protocolErrors;
    private long _invalidPayloads;
    private long _rateLimited;
    private long _tooLarge;
    private long _slowConsumerCloses;
    private long _outboxBudgetCloses;
    private long _pingTimeouts;
    private long _upgrades;
    private long _packetsSent;
    private long _handlerFailures;

    /// <summary>Engine.IO sessions open now (either transport).</summary>
    public long ActiveSessions => Volatile.Read(ref _activeSessions);

    /// <summary>Sessions on HTTP long-polling now (bounded by <see cref="SocketIOServerOptions.MaxPollingSessions"/>).</summary>
    public long PollingSessions => Volatile.Read(ref _pollingSessions);

    public long TotalSessions => Volatile.Read(ref _totalSessions);

    /// <summary>Requests answered with an Engine.IO error (unknown transport or session, bad method, EIO=3, overlap…).</summary>
    public long RefusedRequests => Volatile.Read(ref _refusedRequests);

    /// <summary>Handshakes refused because a session bound was reached (HTTP 503).</summary>
    public long RefusedAtCapacity => Volatile.Read(ref _refusedAtCapacity);

    /// <summary>Sessions closed for Engine.IO or Socket.IO protocol garbage.</summary>
    public long ProtocolErrors => Volatile.Read(ref _protocolErrors);

    /// <summary>Events whose data was not a valid event array, passed to the handler as a rejection.</summary>
    public long InvalidPayloads => Volatile.Read(ref _invalidPayloads);

    /// <summary>Packets dropped by the inbound rate limit.</summary>
    public long RateLimited => Volatile.Read(ref _rateLimited);

    /// <summary>Packets or payloads over the size limits.</summary>
    public long TooLarge => Volatile.Read(ref _tooLarge);

    /// <summary>Sessions closed because their outbox passed its bound or found the shared outbox budget spent, or a send stalled.</summary>
    public long SlowConsumerCloses => Volatile.Read(ref _slowConsumerCloses);

    /// <summary>Of <see cref="SlowConsumerCloses"/>: sessions closed because their address's or the server's shared outbox budget was spent.</summary>
    public long OutboxBudgetCloses => Volatile.Read(ref _outboxBudgetCloses);

    public long PingTimeouts => Volatile.Read(ref _pingTimeouts);

    /// <summary>Polling sessions upgraded to websocket.</summary>
    public long Upgrades => Volatile.Read(ref _upgrades);

    public long PacketsSent => Volatile.Read(ref _packetsSent);

    /// <summary>Namespace handler calls that threw (each closes its session).</summary>
    public long HandlerFailures => Volatile.Read(ref _handlerFailures);

    /// <summary>A session was created; a polling one already took its slot with <see cref="TryAddPollingSession"/>.</summary>
    internal void SessionOpened()
    {
        Interlocked.Increment(ref _activeSessions);
        Interlocked.Increment(ref _totalSessions);
    }

    internal void SessionClosed(bool polling)
    {
        Interlocked.Decrement(ref _activeSessions);
        if (polling)
        {
            Interlocked.Decrement(ref _pollingSessions);
        }
    }

    internal void Upgraded()
    {
        Interlocked.Increment(ref _upgrades);
        Interlocked.Decrement(ref _pollingSessions);
    }

    internal bool TryAddPollingSession(int max)
    {
        if (Interlocked.Increment(ref _pollingSessions) > max)
        {
            Interlocked.Decrement(ref _pollingSessions);
            return false;
        }
        return true;
    }

    internal void ReleasePollingSession() => Interlocked.Decrement(ref _pollingSessions);

    internal void RequestRefused() => Interlocked.Increment(ref _refusedRequests);

    internal void AtCapacity() => Interlocked.Increment(ref _refusedAtCapacity);

    internal void ProtocolError() => Interlocked.Increment(ref _protocolErrors);

    internal void InvalidPayload() => Interlocked.Increment(ref _invalidPayloads);

    internal void RateLimitedPacket() => Interlocked.Increment(ref _rateLimited);

    internal void OverSize() => Interlocked.Increment(ref _tooLarge);

    internal void SlowConsumer() => Interlocked.Increment(ref _slowConsumerCloses);

    internal void OutboxBudgetClose() => Interlocked.Increment(ref _outboxBudgetCloses);

    internal void PingTimeout() => Interlocked.Increment(ref _pingTimeouts);

    internal void Sent(int packets) => Interlocked.Add(ref _packetsSent, packets);

    internal void HandlerFailed() => Interlocked.Increment(ref _handlerFailures);
}
