namespace SpinPet.Indexer.Metadata;

/// <summary>How a fetch ended: with a body, with a failure that will not change (404, too large), or transiently (5xx, timeout).</summary>
internal enum FetchOutcome
{
    Ok,
    Permanent,
    Transient,
}

/// <summary>The outcome of one fetch attempt: the body when <see cref="FetchOutcome.Ok"/>, else why not (and the Retry-After asked for).</summary>
internal readonly record struct FetchResult(FetchOutcome Outcome, byte[]? Body, string? Problem, TimeSpan? RetryAfter = null)
{
    public static FetchResult Ok(byte[] body) => new(FetchOutcome.Ok, body, null);

    public static FetchResult Permanent(string problem) => new(FetchOutcome.Permanent, null, problem);

    public static FetchResult Transient(string problem, TimeSpan? retryAfter = null) => new(FetchOutcome.Transient, null, problem, retryAfter);
}
