using System.Text.Json;

namespace SpinPet.Indexer.Metadata;

/// <summary>
/// Reads a fetched metadata body into a <see cref="TokenMetadataDocument"/>. The body is untrusted: it must be one JSON
/// object (a UTF-8 BOM is allowed), nesting is limited, and strings are bounded: a description is cut to
/// <see cref="MaxDescriptionLength"/> characters, another field longer than <see cref="MaxFieldLength"/> (a URL or name
/// nobody can use) is dropped.
/// </summary>
internal static class TokenMetadataParser
{
    public const int MaxDescriptionLength = 4096;
    public const int MaxFieldLength = 2048;

    private static readonly JsonDocumentOptions Options = new() { MaxDepth = 32 };

    public static bool TryParse(ReadOnlyMemory<byte> body, out TokenMetadataDocument? document, out string? problem)
    {
        document = null;
        problem = null;
        var bytes = body.Span.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]) ? body[3..] : body;
        JsonDocument json;
        try
        {
            json = JsonDocument.Parse(bytes, Options);
        }
        catch (JsonException e)
        {
            problem = $"malformed JSON: {e.Message}";
            return false;
        }
        using (json)
        {
            var root = json.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                problem = $"the metadata is a JSON {root.ValueKind.ToString().ToLowerInvariant()}, not an object";
                return false;
            }
            root.TryGetProperty("extensions", out var extensions);
            document = new TokenMetadataDocument(
                Name: Field(root, "name"),
                Symbol: Field(root, "symbol"),
                Description: Cut(Text(root, "description")),
                Image: Field(root, "image"),
                ExternalUrl: Field(root, "external_url"),
                Twitter: Field(root, "twitter") ?? Field(extensions, "twitter"),
                Telegram: Field(root, "telegram") ?? Field(extensions, "telegram"),
                Website: Field(root, "website") ?? Field(extensions, "website"))
            {
                ShowName = root.TryGetProperty("showName", out var showName) && showName.ValueKind is JsonValueKind.True or JsonValueKind.False
                    ? showName.GetBoolean()
                    : null,
                CreatedOn = Field(root, "createdOn"),
            };
            return true;
        }
    }

    private static string? Text(JsonElement parent, string name) =>
        parent.ValueKind == JsonValueKind.Object && parent.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String
            ? value.GetString()
            : null;

    private static string? Field(JsonElement parent, string name) =>
        Text(parent, name) is { Length: <= MaxFieldLength } text ? text : null;

    private static string? Cut(string? text)
    {
        if (text is null || text.Length <= MaxDescriptionLength)
        {
            return text;
        }
        int length = char.IsHighSurrogate(text[MaxDescriptionLength - 1]) ? MaxDescriptionLength - 1 : MaxDescriptionLength;
        return text[..length];
    }
}
