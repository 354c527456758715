using System.Text.Json.Serialization;

namespace SpinPet.Indexer.Metadata;

/// <summary>
/// A token's metadata as served in <c>uri_data</c>: the string fields launchpad metadata JSON carries (Metaplex's
/// <c>name</c>, <c>symbol</c>, <c>description</c>, <c>image</c>, <c>external_url</c>; pump.fun-style <c>twitter</c>,
/// <c>telegram</c>, <c>website</c>, also under <c>extensions</c>; pump.fun's <c>showName</c> and <c>createdOn</c>, named as
/// pump.fun names them, which the earlier server passed on). A field that is missing or of another JSON type is null.
/// </summary>
public sealed record TokenMetadataDocument(
    string? Name,
    string? Symbol,
    string? Description,
    string? Image,
    string? ExternalUrl,
    string? Twitter,
    string? Telegram,
    string? Website)
{
    /// <summary>pump.fun's flag to show the name beside the symbol (a JSON boolean).</summary>
    [JsonPropertyName("showName")]
    public bool? ShowName { get; init; }

    /// <summary>pump.fun's "created on" (the launchpad's URL).</summary>
    [JsonPropertyName("createdOn")]
    public string? CreatedOn { get; init; }
}

/// <summary>The stored form of <see cref="TokenMetadataDocument"/> (the content of a <c>token_metadata</c> row).</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(TokenMetadataDocument))]
internal sealed partial class MetadataJsonContext : JsonSerializerContext;
