using SpinPet.Core.Chain;

namespace SpinPet.Indexer.Metadata;

/// <summary>
/// A token in the fetcher's hands, from queued to settled: waiting in the fresh or the retry lane, waiting for its
/// origin, or being fetched. Owned by <see cref="TokenMetadataQueue"/> (its lock) and by the one worker that holds it.
/// </summary>
internal sealed class MetadataJob(PublicKey mint, bool retrying)
{
    public PublicKey Mint { get; } = mint;

    /// <summary>In (or taken from) the retry lane: counted against the retry lane's capacity while it waits.</summary>
    public bool Retrying { get; set; } = retrying;

    /// <summary>Attempts (HTTP requests) made in this round; a restart starts a new round.</summary>
    public int Attempts { get; set; }

    /// <summary>Where the metadata is fetched from: resolved from the token's uri when a worker first takes the job.</summary>
    public MetadataTarget? Target { get; set; }

    /// <summary>The token's uri, for the failure log.</summary>
    public string? Uri { get; set; }

    /// <summary>
    /// The origin (scheme://host:port) whose limits apply to a token's own uri (<see cref="OriginLimits"/>); null on the
    /// gateway, which only <c>ipfs.max_concurrency</c> limits.
    /// </summary>
    public string? Origin { get; set; }
}
