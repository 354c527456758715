using Microsoft.Extensions.Configuration;

namespace SpinPet.Indexer.Metadata;

/// <summary><c>[ipfs]</c>: token metadata enrichment (docs/rest.md, "Token metadata").</summary>
public sealed record IpfsOptions
{
    public const string Section = "ipfs";

    /// <summary>Gateway base URL, the prefix put before <c>CID/path</c>; null or blank turns enrichment off.</summary>
    [ConfigurationKeyName("gateway_url")]
    public string? GatewayUrl { get; init; }

    /// <summary>Timeout of one fetch attempt (connect, every redirect hop, headers and body), in milliseconds.</summary>
    [ConfigurationKeyName("timeout_ms")]
    public int TimeoutMs { get; init; } = 10_000;

    /// <summary>
    /// Metadata requests in flight at once: a public gateway rate-limits, and the fetch is not urgent. A token's own
    /// (non-gateway) origin gets 1 of them, all such origins together half (OriginLimits).
    /// </summary>
    [ConfigurationKeyName("max_concurrency")]
    public int MaxConcurrency { get; init; } = 4;

    /// <summary>
    /// New tokens waiting for a first fetch, and again tokens parked for a retry (TokenMetadataQueue): a new token past
    /// it is dropped, counted and found again by a rescan; a failing token past it is given up.
    /// </summary>
    [ConfigurationKeyName("queue_capacity")]
    public int QueueCapacity { get; init; } = 10_000;

    /// <summary>A larger answer is a permanent failure: metadata JSON is ~0.5–2 KB, so 256 KiB only stops abuse.</summary>
    [ConfigurationKeyName("max_response_bytes")]
    public int MaxResponseBytes { get; init; } = 256 * 1024;

    public bool Enabled => !string.IsNullOrWhiteSpace(GatewayUrl);
}
