namespace SpinPet.Server.Metadata;

/// <summary>
/// How transient failures are retried: up to <see cref="MaxAttempts"/> attempts per fetch with exponential back-off from
/// <see cref="BaseDelay"/>, capped at <see cref="MaxDelay"/>, with ±20 % jitter; a <c>Retry-After</c> is honoured up to
/// <see cref="MaxRetryAfter"/>. A token whose attempts all failed is left unstored and tried again by a rescan after
/// <see cref="RescanAfterGiveUp"/>. Not configuration: the defaults suit any gateway; tests shorten them.
/// </summary>
internal sealed record MetadataRetryPolicy(int MaxAttempts, TimeSpan BaseDelay, TimeSpan MaxDelay, TimeSpan MaxRetryAfter, TimeSpan RescanAfterGiveUp)
{
    /// <summary>5 attempts over ~15 s (1, 2, 4, 8 s); a gateway down longer than that is retried every 10 minutes.</summary>
    public static MetadataRetryPolicy Default { get; } = new(5, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(60), TimeSpan.FromMinutes(10));

    /// <summary>The wait after failed attempt <paramref name="attempt"/> (1-based).</summary>
    public TimeSpan Delay(int attempt, TimeSpan? retryAfter)
    {
        double exponential = BaseDelay.TotalMilliseconds * Math.Pow(2, Math.Min(attempt - 1, 20));
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
