using Microsoft.AspNetCore.Http.HttpResults;
using SpinPet.Core.Chain;
using SpinPet.Core.Events;
using SpinPet.Core.Indexing;
using SpinPet.Indexer.Events;
using SpinPet.Indexer;
using SpinPet.Indexer.Metadata;
using SpinPet.Storage;

namespace SpinPet.Server.Api;

/// <summary><c>GET /api/mint_orders</c> (a mint's open orders by price) and <c>GET /api/user_orders</c> (a user's open orders).</summary>
internal static class OrdersEndpoints
{
    public static IEndpointRouteBuilder MapOrders(this IEndpointRouteBuilder routes)
    {
        routes.MapGet("/api/mint_orders", (HttpRequest request, SpinPetStore store, SpinPetIndexer candles, TokenMetadataReader metadata) =>
                MintOrders(request.Query, store, candles.Scale, metadata))
            .WithName("GetMintOrders")
            .WithSummary("A mint's open margin orders: up_orders = shorts by lock_lp_start_price ascending, down_orders = longs descending.")
            .Produces<ApiResponse<MintOrdersPage>>()
            .Produces<ApiResponse<object>>(StatusCodes.Status400BadRequest);
        routes.MapGet("/api/user_orders", (HttpRequest request, SpinPetStore store, SpinPetIndexer candles, TokenMetadataReader metadata) =>
                UserOrders(request.Query, store, candles.Scale, metadata))
            .WithName("GetUserOrders")
            .WithSummary("A user's open margin orders by start_time, with the mint's latest price, name, symbol and image (from its metadata).")
            .Produces<ApiResponse<UserOrdersPage>>()
            .Produces<ApiResponse<object>>(StatusCodes.Status400BadRequest);
        return routes;
    }

    private static Results<JsonHttpResult<ApiResponse<MintOrdersPage>>, JsonHttpResult<ApiResponse<object>>> MintOrders(
        IQueryCollection query, SpinPetStore store, PriceScale scale, TokenMetadataReader metadata)
    {
        var bound = MintOrdersRequest.Bind(query);
        if (bound.Request is not { } request)
        {
            return ApiResults.BadRequest(bound.Error);
        }
        var (key, up, paging) = (request.Mint, request.Up, request.Paging);
        if (store.Indexes.GetMint(key) is not { } details)
        {
            return ApiResults.NotFound(UnknownMint.Message(key));
        }
        var page = store.Indexes.ReadMintOrders(key, up ? OrderState.Short : OrderState.Long, descending: !up, paging.Cursor, paging.Skip, paging.Limit);
        var result = new MintOrdersPage(
            [.. page.Items.Select(new OrderTokens(store, scale, metadata).Enrich)],
            up ? details.OpenShortOrders : details.OpenLongOrders,
            request.Type,
            key.ToString(),
            paging.Page,
            paging.Limit,
            page.HasMore,
            paging.HasPrevious,
            paging.NextCursor(page.Next));
        return ApiResults.Ok(result, ApiJsonContext.Default.ApiResponseMintOrdersPage);
    }

    private static Results<JsonHttpResult<ApiResponse<UserOrdersPage>>, JsonHttpResult<ApiResponse<object>>> UserOrders(
        IQueryCollection query, SpinPetStore store, PriceScale scale, TokenMetadataReader metadata)
    {
        var bound = UserOrdersRequest.Bind(query);
        if (bound.Request is not { } request)
        {
            return ApiResults.BadRequest(bound.Error);
        }
        var (key, mint, paging) = (request.User, request.Mint, request.Paging);
        var page = store.Indexes.ReadUserOrders(key, mint, request.NewestFirst, paging.Cursor, paging.Skip, paging.Limit);
        var tokens = new OrderTokens(store, scale, metadata);
        var orders = page.Items.Select(tokens.Enrich).ToList();
        var result = new UserOrdersPage(
            orders,
            store.Indexes.CountUserOrders(key, mint),
            key.ToString(),
            mint?.ToString(),
            request.OrderBy,
            paging.Page,
            paging.Limit,
            page.HasMore,
            paging.HasPrevious,
            paging.NextCursor(page.Next));
        return ApiResults.Ok(result, ApiJsonContext.Default.ApiResponseUserOrdersPage);
    }
}
