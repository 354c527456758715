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
        routes.MapGet("/api/mint_orders", (HttpRequest request, SpinPetStore store) => MintOrders(request.Query, store))
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

    private static IResult MintOrders(IQueryCollection query, SpinPetStore store)
    {
        var q = new QueryParameters(query);
        var mint = q.Address("mint");
        string? type = null;
        if (q.Text("type") is null)
        {
            q.Add("type is required: up_orders (shorts) or down_orders (longs)");
        }
        else
        {
            type = q.Choice("type", "up_orders", "up_orders", "down_orders");
        }
        bool up = type != "down_orders";
        var list = up ? CursorList.UpOrders : CursorList.DownOrders;
        var paging = Paging.Read(q, list, "cursor");
        if (q.Problems.Count > 0 || mint is not { } key)
        {
            return ApiResults.BadRequest(q.Error);
        }
        IndexPage<OpenOrder> page;
        try
        {
            page = store.Indexes.ReadMintOrders(key, up ? OrderState.Short : OrderState.Long, descending: !up, paging.Cursor, paging.Skip, paging.Limit);
        }
        catch (ArgumentException e) when (e.ParamName == "after")
        {
            return paging.BadCursor();
        }
        var details = store.Indexes.GetMint(key);
        var result = new MintOrdersPage(
            [.. page.Items.Select(OrderJson.From)],
            details is null ? 0 : up ? details.OpenShortOrders : details.OpenLongOrders,
            type!,
            key.ToString(),
            paging.Page,
            paging.Limit,
            page.HasMore,
            paging.HasPrevious,
            ApiCursor.Encode(list, page.Next));
        return ApiResults.Ok(result, ApiJsonContext.Default.ApiResponseMintOrdersPage);
    }

    private static IResult UserOrders(IQueryCollection query, SpinPetStore store, PriceScale scale, TokenMetadataReader metadata)
    {
        var q = new QueryParameters(query);
        var user = q.Address("user");
        var mint = q.Address("mint", required: false);
        var order = q.Choice("order_by", "start_time_desc", "start_time_desc", "start_time_asc");
        bool newestFirst = order == "start_time_desc";
        var list = newestFirst ? CursorList.UserOrdersDescending : CursorList.UserOrdersAscending;
        var paging = Paging.Read(q, list, "cursor");
        if (q.Problems.Count > 0 || user is not { } key)
        {
            return ApiResults.BadRequest(q.Error);
        }
        IndexPage<OpenOrder> page;
        try
        {
            page = store.Indexes.ReadUserOrders(key, mint, newestFirst, paging.Cursor, paging.Skip, paging.Limit);
        }
        catch (ArgumentException e) when (e.ParamName == "after")
        {
            return paging.BadCursor();
        }
        // One creation-event and one metadata read per distinct mint of the page, not per order.
        var tokens = new Dictionary<PublicKey, (MintDetails? Mint, TokenCreatedEvent? Created, string? Image)>();
        var orders = new List<UserOrderJson>(page.Items.Count);
        foreach (var o in page.Items)
        {
            if (!tokens.TryGetValue(o.MintAccount, out var token))
            {
                var details = store.Indexes.GetMint(o.MintAccount);
                token = (details, details is null ? null : StoredEvents.TokenCreation(store, details)?.Event, metadata.Get(o.MintAccount)?.Image);
                tokens[o.MintAccount] = token;
            }
            var price = token.Mint?.LatestPrice;
            orders.Add(new UserOrderJson(OrderJson.From(o))
            {
                LatestPrice = price is { } p ? EventJson.Text(p) : null,
                LatestPriceSol = price is { } raw ? scale.ToSol(raw) : null,
                Name = token.Created?.Name,
                Symbol = token.Created?.Symbol,
                Image = token.Image,
            });
        }
        var result = new UserOrdersPage(
            orders,
            store.Indexes.CountUserOrders(key, mint),
            key.ToString(),
            mint?.ToString(),
            order,
            paging.Page,
            paging.Limit,
            page.HasMore,
            paging.HasPrevious,
            ApiCursor.Encode(list, page.Next));
        return ApiResults.Ok(result, ApiJsonContext.Default.ApiResponseUserOrdersPage);
    }
}
