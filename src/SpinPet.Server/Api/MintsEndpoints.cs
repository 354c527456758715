using SpinPet.Core.Indexing;
using SpinPet.Indexer.Events;
using SpinPet.Indexer;
using System.Text.Json;
using SpinPet.Core.Chain;
using SpinPet.Core.Events;
using SpinPet.Indexer.Metadata;
using SpinPet.Solana.Decoding;
using SpinPet.Storage;

namespace SpinPet.Server.Api;

/// <summary><c>GET /api/mints</c> (mints by first appearance or activity) and <c>POST /api/details</c> (per-mint data).</summary>
internal static class MintsEndpoints
{
    private const int MaxDetails = 1000;

    // 1,000 addresses of ≤ 44 characters with quotes and commas are ~47 KB; 256 KB leaves room for whitespace.
    private const int MaxDetailsBodyBytes = 256 * 1024;

    public static IEndpointRouteBuilder MapMints(this IEndpointRouteBuilder routes)
    {
        routes.MapGet("/api/mints", (HttpRequest request, SpinPetStore store) => List(request.Query, store))
            .WithName("GetMints")
            .WithSummary("Mints by first event (slot_desc, slot_asc) or latest event (activity_desc), with keyset paging.")
            .Produces<ApiResponse<MintsPage>>()
            .Produces<ApiResponse<object>>(StatusCodes.Status400BadRequest);
        routes.MapPost("/api/details", (HttpRequest request, SpinPetStore store, SpinPetIndexer candles, TokenMetadataReader metadata) =>
                DetailsAsync(request, store, candles.Scale, metadata))
            .WithName("PostDetails")
            .WithSummary("Details of up to 1,000 mints: creation data, latest price, totals, fees, and the token's metadata (uri_data) once fetched.")
            // Declared for the document only: Accepts<T> would also make routing answer other content types with a bare 415.
            .AddOpenApiOperationTransformer(async (operation, context, ct) =>
                operation.RequestBody = new Microsoft.OpenApi.OpenApiRequestBody
                {
                    Required = true,
                    Content = new Dictionary<string, Microsoft.OpenApi.OpenApiMediaType>
                    {
                        ["application/json"] = new() { Schema = await context.GetOrCreateSchemaAsync(typeof(DetailsRequest), null, ct) },
                    },
                })
            .Produces<ApiResponse<DetailsPage>>()
            .Produces<ApiResponse<object>>(StatusCodes.Status400BadRequest)
            .Produces<ApiResponse<object>>(StatusCodes.Status413PayloadTooLarge);
        return routes;
    }

    private static IResult List(IQueryCollection query, SpinPetStore store)
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
        if (q.Problems.Count > 0)
        {
            return ApiResults.BadRequest(q.Error);
        }
        IndexPage<MintDetails> page;
        try
        {
            page = store.Indexes.ReadMints(order, paging.Cursor, paging.Skip, paging.Limit);
        }
        catch (ArgumentException e) when (e.ParamName == "after")
        {
            return paging.BadCursor();
        }
        var result = new MintsPage(
            [.. page.Items.Select(m => m.Mint.ToString())],
            store.Indexes.MintCount,
            paging.Page,
            paging.Limit,
            page.HasMore,
            paging.HasPrevious,
            ApiCursor.Encode(list, page.Next),
            sortBy);
        return ApiResults.Ok(result, ApiJsonContext.Default.ApiResponseMintsPage);
    }

    private static async Task<IResult> DetailsAsync(HttpRequest request, SpinPetStore store, PriceScale scale, TokenMetadataReader metadata)
    {
        if (request.ContentLength > MaxDetailsBodyBytes)
        {
            return ApiResults.Error(StatusCodes.Status413PayloadTooLarge, $"The body is over {MaxDetailsBodyBytes} bytes; ask for at most {MaxDetails} mints");
        }
        DetailsRequest? body;
        try
        {
            // Bounded even without a Content-Length (chunked): the read stops at the limit.
            using var limited = new MemoryStream();
            var buffer = new byte[16 * 1024];
            int read;
            while ((read = await request.Body.ReadAsync(buffer, request.HttpContext.RequestAborted)) > 0)
            {
                if (limited.Length + read > MaxDetailsBodyBytes)
                {
                    return ApiResults.Error(StatusCodes.Status413PayloadTooLarge, $"The body is over {MaxDetailsBodyBytes} bytes; ask for at most {MaxDetails} mints");
                }
                limited.Write(buffer, 0, read);
            }
            body = limited.Length == 0 ? null : JsonSerializer.Deserialize(limited.GetBuffer().AsSpan(0, (int)limited.Length), ApiJsonContext.Default.DetailsRequest);
        }
        catch (JsonException e)
        {
            return ApiResults.BadRequest($"The body is not JSON of the form {{\"mints\":[\"<address>\", …]}}: {e.Message}");
        }
        if (body?.Mints is not { } mints)
        {
            return ApiResults.BadRequest("mints is required: a body {\"mints\":[\"<address>\", …]}");
        }
        if (mints.Count > MaxDetails)
        {
            return ApiResults.BadRequest($"mints: {mints.Count} addresses, at most {MaxDetails} per request");
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
        if (q.Problems.Count > 0)
        {
            return ApiResults.BadRequest(q.Error);
        }
        var details = new List<MintDetailJson>(keys.Count);
        var seen = new HashSet<PublicKey>();
        foreach (var key in keys)
        {
            if (seen.Add(key) && store.Indexes.GetMint(key) is { } mint)
            {
                details.Add(Detail(mint, StoredEvents.TokenCreation(store, mint), scale, metadata.Get(key)));
            }
        }
        return ApiResults.Ok(new DetailsPage(details, details.Count), ApiJsonContext.Default.ApiResponseDetailsPage);
    }

    private static MintDetailJson Detail(MintDetails m, (TokenCreatedEvent Event, StoredEvent Stored)? creation, PriceScale scale, TokenMetadataDocument? uriData)
    {
        var c = creation?.Event;
        bool hasFees = m.FeesPosition is not null;
        return new MintDetailJson(
            MintAccount: m.Mint.ToString(),
            Payer: c?.Payer.ToString(),
            CurveAccount: c?.CurveAccount.ToString(),
            PoolTokenAccount: c?.PoolTokenAccount.ToString(),
            PoolSolAccount: c?.PoolSolAccount.ToString(),
            FeeRecipient: c?.FeeRecipient.ToString(),
            BaseFeeRecipient: c?.BaseFeeRecipient.ToString(),
            ParamsAccount: c?.ParamsAccount.ToString(),
            Name: c?.Name,
            Symbol: c?.Symbol,
            Uri: c?.Uri,
            CreateTimestamp: creation?.Stored.BlockTime,
            CreateSlot: creation?.Stored.Position.Slot,
            CreateSignature: creation?.Stored.Signature.ToString(),
            SwapFee: hasFees ? m.SwapFee : null,
            BorrowFee: hasFees ? m.BorrowFee : null,
            FeeDiscountFlag: hasFees ? m.FeeDiscountFlag : null,
            LatestPrice: m.LatestPrice is { } price ? EventJson.Text(price) : null,
            LatestPriceSol: m.LatestPrice is { } raw ? scale.ToSol(raw) : null,
            LatestTradeTime: m.LatestPrice is null ? null : m.LatestTradeTime,
            TotalSolAmount: EventJson.Text(m.TotalSolAmount),
            TotalMarginSolAmount: EventJson.Text(m.TotalMarginSolAmount),
            TotalForceLiquidations: m.TotalForceLiquidations,
            TotalCloseProfit: EventJson.Text(m.TotalCloseProfit),
            TotalEvents: m.EventCount,
            OpenLongOrders: m.OpenLongOrders,
            OpenShortOrders: m.OpenShortOrders,
            FirstSeenSlot: m.FirstPosition.Slot,
            FirstSeenTime: m.FirstBlockTime,
            LastActivitySlot: m.LatestPosition.Slot,
            LastActivityTime: m.LatestBlockTime,
            UriData: uriData);
    }

    private static string Shorten(string? text) => text is null ? "null" : text.Length <= 64 ? text : text[..64] + "…";
}
