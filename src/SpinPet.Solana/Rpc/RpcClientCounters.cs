namespace SpinPet.Solana.Rpc;

/// <summary>What went wrong talking to the node, counted for /metrics and the status route.</summary>
public sealed class RpcClientCounters
{
    private long _rateLimited;
    private long _httpErrors;
    private long _timeouts;
    private long _connectionErrors;
    private long _garbage;
    private long _oversize;

    public long RateLimitedCount => Volatile.Read(ref _rateLimited);

    public long HttpErrorCount => Volatile.Read(ref _httpErrors);

    public long TimeoutCount => Volatile.Read(ref _timeouts);

    public long ConnectionErrorCount => Volatile.Read(ref _connectionErrors);

    /// <summary>Answers that were not the JSON-RPC shape asked for (not JSON, wrong types, a required field missing).</summary>
    public long GarbageCount => Volatile.Read(ref _garbage);

    /// <summary>Answers dropped unread past <see cref="SolanaRpcClient.MaxResponseBytes"/>.</summary>
    public long OversizeCount => Volatile.Read(ref _oversize);

    internal void RateLimited() => Interlocked.Increment(ref _rateLimited);

    internal void HttpError() => Interlocked.Increment(ref _httpErrors);

    internal void Timeout() => Interlocked.Increment(ref _timeouts);

    internal void ConnectionError() => Interlocked.Increment(ref _connectionErrors);

    internal void Garbage() => Interlocked.Increment(ref _garbage);

    internal void Oversize() => Interlocked.Increment(ref _oversize);
}
