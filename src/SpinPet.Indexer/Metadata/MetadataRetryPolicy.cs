namespace SpinPet.Indexer.Metadata;

/// <summary>
/// How transient failures are retried: up to <see cref="MaxAttempts"/> attempts per token, the wait after attempt n being
/// <see cref="BaseDelay"/> × <see cref="Growth"/>^(n-1), capped at <see cref="MaxDelay"/>, with ±20 % jitter; a
/// <c>Retry-After</c> lengthens the wait, up to <see cref="MaxRetryAfter"/>. No worker waits: the token is parked with a
/// due time (<see cref="TokenMetadataQueue"/>). Not configuration: the defaults suit any gateway; tests shorten them.
/// </summary>
internal sealed record MetadataRetryPolicy(int MaxAttempts, TimeSpan BaseDelay, double Growth, TimeSpan MaxDelay, TimeSpan MaxRetryAfter)
{
    /// <summary>
    /// 6 attempts, waits of 10 s, 40 s, 160 s, ~11 min and 30 min: a blip is retried within seconds, and a gateway outage of
    /// up to ~44 min is survived; a parked token costs no worker, only its ~200-byte place in the retry lane.
    /// </summary>
    public static MetadataRetryPolicy Default { get; } = new(6, TimeSpan.FromSeconds(10), 4, TimeSpan.FromMinutes(30), TimeSpan.FromMinutes(30));

    /// <summary>The wait after failed attempt <paramref name="attempt"/> (1-based).</summary>
    public TimeSpan Delay(int attempt, TimeSpan? retryAfter)
    {
        double exponential = BaseDelay.TotalMilliseconds * Math.Pow(Growth, Math.Min(attempt - 1, 30));
        double jittered = Math.Min(exponential, MaxDelay.TotalMilliseconds) * (0.8 + (0.4 * Random.Shared.NextDouble()));
        var delay = TimeSpan.FromMilliseconds(jittered);
        if (retryAfter is { } asked)
        {
            var capped = asked > MaxRetryAfter ? MaxRetryAfter : asked;
            delay = capped > delay ? capped : delay;
        }
        return delay;
    }
}
