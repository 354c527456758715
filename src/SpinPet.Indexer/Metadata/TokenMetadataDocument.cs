using System.Text.Json.Serialization;

namespace SpinPet.Indexer.Metadata;

/// <summary>
/// A token's metadata as served in <c>uri_data</c>: the string fields launchpad metadata JSON carries (Metaplex's
/// <c>name</c>, <c>symbol</c>, <c>description</c>, <c>image</c>, <c>external_url</c>; pump.fun-style <c>twitter</c>,
/// <c>telegram</c>, <c>website</c>, also under <c>extensions</c>). A field that is missing or not a string is null.
/// </summary>
public sealed record TokenMetadataDocument(
    string? Name,
    string? Symbol,
    string? Description,
    string? Image,
    string? ExternalUrl,
    string? Twitter,
    string? Telegram,
    string? Website);

/// <summary>The stored form of <see cref="TokenMetadataDocument"/> (the content of a <c>token_metadata</c> row).</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(TokenMetadataDocument))]
internal sealed partial class MetadataJsonContext : JsonSerializerContext;
