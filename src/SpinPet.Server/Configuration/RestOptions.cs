using Microsoft.Extensions.Configuration;

namespace SpinPet.Server.Configuration;

/// <summary><c>[rest]</c>: the per-client-address token bucket in front of the HTTP routes (docs/security.md).</summary>
internal sealed record RestOptions
{
    public const string Section = "rest";

    /// <summary>Refill rate of each client address's bucket; past an empty bucket a request is answered 429.</summary>
    [ConfigurationKeyName("max_requests_per_second")]
    public int MaxRequestsPerSecond { get; init; } = 50;

    /// <summary>Size of each client address's bucket: requests it may send at once after a quiet spell.</summary>
    [ConfigurationKeyName("burst")]
    public int Burst { get; init; } = 200;
}
