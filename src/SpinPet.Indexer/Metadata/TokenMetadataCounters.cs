using SpinPet.Core.Figures;

namespace SpinPet.Indexer.Metadata;

/// <summary>
/// What the metadata fetcher did since start, counted as <see cref="Figure"/>s like every other area; /metrics
/// (SpinPetMetrics) exports them, the failures as one instrument tagged by outcome.
/// </summary>
public sealed class TokenMetadataCounters
{
    private readonly Figure _fetched = new();
    private readonly Figure _failed = new();
    private readonly Figure _gaveUp = new();
    private readonly Figure _retries = new();
    private readonly Figure _inFlight = new();

    /// <summary>Documents fetched and stored.</summary>
    public long Fetched => _fetched.Value;

    /// <summary>Tokens stored as permanently failed (404, malformed, too large, unsupported uri).</summary>
    public long Failed => _failed.Value;

    /// <summary>Tokens whose every attempt of a round failed transiently: stored as given up, tried again at the next start.</summary>
    public long GaveUp => _gaveUp.Value;

    /// <summary>Attempts after the first of a round (each after a transient failure and its wait).</summary>
    public long Retries => _retries.Value;

    /// <summary>HTTP requests in flight now.</summary>
    public long InFlight => _inFlight.Value;

    public void AddFetched() => _fetched.Add(1);

    public void AddFailed() => _failed.Add(1);

    public void AddGaveUp() => _gaveUp.Add(1);

    public void AddRetry() => _retries.Add(1);

    public void EnterRequest() => _inFlight.Add(1);

    public void ExitRequest() => _inFlight.Add(-1);
}
