using Microsoft.AspNetCore.Http.HttpResults;
using SpinPet.Core.Chain;
using SpinPet.Core.Indexing;
using SpinPet.Indexer;
using SpinPet.Indexer.Events;
using SpinPet.Core.Events;
using SpinPet.Indexer.Metadata;
using SpinPet.Solana.Decoding;
using SpinPet.Storage;

namespace SpinPet.Server.Api;

/// <summary><c>GET /api/mints</c> (mints by first appearance or activity) and <c>POST /api/details</c> (per-mint data).</summary>
internal static class MintsEndpoints
{
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

    private static Results<JsonHttpResult<ApiResponse<MintsPage>>, JsonHttpResult<ApiResponse<object>>> List(IQueryCollection query, SpinPetStore store)
    {
        var bound = MintsRequest.Bind(query);
        if (bound.Request is not { } request)
        {
            return ApiResults.BadRequest(bound.Error);
        }
        var paging = request.Paging;
        var page = store.Indexes.ReadMints(request.Order, paging.Cursor, paging.Skip, paging.Limit);
        var result = new MintsPage(
            [.. page.Items.Select(m => m.Mint.ToString())],
            store.Indexes.MintCount,
            paging.Page,
            paging.Limit,
            page.HasMore,
            paging.HasPrevious,
            paging.NextCursor(page.Next),
            request.SortBy);
        return ApiResults.Ok(result, ApiJsonContext.Default.ApiResponseMintsPage);
    }

    private static async Task<Results<JsonHttpResult<ApiResponse<DetailsPage>>, JsonHttpResult<ApiResponse<object>>>> DetailsAsync(
        HttpRequest http, SpinPetStore store, PriceScale scale, TokenMetadataReader metadata)
    {
        var bound = await MintDetailsRequest.BindAsync(http);
        if (bound.Request is not { } request)
        {
            return ApiResults.Error(bound.Status, bound.Error);
        }
        var details = new List<MintDetailJson>(request.Mints.Count);
        var seen = new HashSet<PublicKey>();
        foreach (var key in request.Mints)
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
            CreatedBy: c?.Payer.ToString(),
            LastUpdatedAt: EventJson.Rfc3339(m.LatestBlockTime),
            UriData: uriData);
    }

}
