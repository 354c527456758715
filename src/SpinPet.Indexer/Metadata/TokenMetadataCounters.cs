namespace SpinPet.Indexer.Metadata;

/// <summary>What the metadata fetcher did since start, read by /metrics (SpinPetMetrics).</summary>
public sealed class TokenMetadataCounters
{
    private long _fetched;
    private long _failed;
    private long _gaveUp;
    private long _retries;
    private long _inFlight;

    /// <summary>Documents fetched and stored.</summary>
    public long Fetched => Volatile.Read(ref _fetched);

    /// <summary>Tokens stored as permanently failed (404, malformed, too large, unsupported uri).</summary>
    public long Failed => Volatile.Read(ref _failed);

    /// <summary>Tokens whose every attempt of a round failed transiently: stored as given up, tried again at the next start.</summary>
    public long GaveUp => Volatile.Read(ref _gaveUp);

    /// <summary>Attempts after the first of a round (each after a transient failure and its wait).</summary>
    public long Retries => Volatile.Read(ref _retries);

    /// <summary>HTTP requests in flight now.</summary>
    public long InFlight => Volatile.Read(ref _inFlight);

    public void AddFetched() => Interlocked.Increment(ref _fetched);

    public void AddFailed() => Interlocked.Increment(ref _failed);

    public void AddGaveUp() => Interlocked.Increment(ref _gaveUp);

    public void AddRetry() => Interlocked.Increment(ref _retries);

    public void EnterRequest() => Interlocked.Increment(ref _inFlight);

    public void ExitRequest() => Interlocked.Decrement(ref _inFlight);
}
