using System.Text.Json;
using SpinPet.Core.Chain;
using SpinPet.Storage;

namespace SpinPet.Server.Api;

/// <summary><c>GET /api/mints?sort_by=&amp;limit=&amp;page=&amp;cursor=</c>.</summary>
internal sealed record MintsRequest(string SortBy, MintOrder Order, Paging Paging)
{
    public static Bound<MintsRequest> Bind(IQueryCollection query)
    {
        var q = new QueryParameters(query);
        var sortBy = q.Choice("sort_by", "slot_desc", "slot_desc", "slot_asc", "activity_desc");
        var (order, list) = sortBy switch
        {
            "slot_asc" => (MintOrder.FirstSeenOldestFirst, CursorList.MintsFirstSeenAscending),
            "activity_desc" => (MintOrder.ActivityNewestFirst, CursorList.MintsActivityDescending),
            _ => (MintOrder.FirstSeenNewestFirst, CursorList.MintsFirstSeenDescending),
        };
        var paging = Paging.Read(q, list, "cursor");
        return q.Problems.Count > 0 ? q.Refusal<MintsRequest>() : new MintsRequest(sortBy, order, paging);
    }
}

/// <summary><c>POST /api/details</c>, bound: the valid addresses of the body, in the order asked.</summary>
internal sealed record MintDetailsRequest(IReadOnlyList<PublicKey> Mints)
{
    public const int MaxMints = 1000;

    // 1,000 addresses of ≤ 44 characters with quotes and commas are ~47 KB; 256 KB leaves room for whitespace.
    public const int MaxBodyBytes = 256 * 1024;

    private static readonly string TooLarge = $"The body is over {MaxBodyBytes} bytes; ask for at most {MaxMints} mints";

    public static async Task<Bound<MintDetailsRequest>> BindAsync(HttpRequest request)
    {
        if (request.ContentLength > MaxBodyBytes)
        {
            return Bound<MintDetailsRequest>.Refused(TooLarge, StatusCodes.Status413PayloadTooLarge);
        }
        // Bounded even without a Content-Length (chunked): the read stops at the limit.
        using var limited = new MemoryStream();
        var buffer = new byte[16 * 1024];
        int read;
        while ((read = await request.Body.ReadAsync(buffer, request.HttpContext.RequestAborted)) > 0)
        {
            if (limited.Length + read > MaxBodyBytes)
            {
                return Bound<MintDetailsRequest>.Refused(TooLarge, StatusCodes.Status413PayloadTooLarge);
            }
            limited.Write(buffer, 0, read);
        }
        DetailsRequest? body;
        try
        {
            body = limited.Length == 0 ? null : JsonSerializer.Deserialize(limited.GetBuffer().AsSpan(0, (int)limited.Length), ApiJsonContext.Default.DetailsRequest);
        }
        catch (JsonException e)
        {
            // System.Text.Json has no Try-API: its exception is the only report of malformed JSON, and its message
            // (line and byte position) is what the client needs.
            return Bound<MintDetailsRequest>.Refused($"The body is not JSON of the form {{\"mints\":[\"<address>\", …]}}: {e.Message}");
        }
        if (body?.Mints is not { } mints)
        {
            return Bound<MintDetailsRequest>.Refused("mints is required: a body {\"mints\":[\"<address>\", …]}");
        }
        if (mints.Count > MaxMints)
        {
            return Bound<MintDetailsRequest>.Refused($"mints: {mints.Count} addresses, at most {MaxMints} per request");
        }
        var q = new QueryParameters(new QueryCollection());
        var keys = new List<PublicKey>(mints.Count);
        for (int i = 0; i < mints.Count; i++)
        {
            if (mints[i] is { } text && PublicKey.TryParse(text, out var key))
            {
                keys.Add(key);
            }
            else
            {
                q.Add($"mints[{i}]: '{Shorten(mints[i])}' is not a Solana address (base58 of 32 bytes)");
            }
        }
        return q.Problems.Count > 0 ? q.Refusal<MintDetailsRequest>() : new MintDetailsRequest(keys);
    }

    private static string Shorten(string? text) => text is null ? "null" : text.Length <= 64 ? text : text[..64] + "…";
}
