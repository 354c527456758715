namespace SpinPet.Storage;

/// <summary>What became of fetching a token's metadata (its <c>uri</c> JSON).</summary>
public enum TokenMetadataState : byte
{
    /// <summary><see cref="StoredTokenMetadata.Content"/> is the metadata document (JSON).</summary>
    Fetched = 1,

    /// <summary>
    /// Fetching failed for good (404, malformed JSON, too large, an unsupported uri): never tried again.
    /// <see cref="StoredTokenMetadata.Content"/> says why.
    /// </summary>
    Failed = 2,

    /// <summary>
    /// Every attempt of a round failed transiently (timeouts, 5xx, 429): not tried again while the server runs; the next
    /// start gives the token one new round. <see cref="StoredTokenMetadata.Content"/> says the last failure.
    /// </summary>
    GaveUp = 3,
}

/// <summary>
/// A token's metadata as stored in <c>token_metadata</c>: the outcome, when it was recorded (unix milliseconds) and
/// either the document (UTF-8 JSON, as the fetcher normalized it) or the reason of a permanent failure. The store does
/// not interpret the content.
/// </summary>
public sealed record StoredTokenMetadata(TokenMetadataState State, long RecordedAtMs, string Content);
