using SpinPet.Core.Chain;

namespace SpinPet.Server.Api;

/// <summary><c>GET /api/mint_orders?mint=&amp;type=up_orders|down_orders&amp;limit=&amp;page=&amp;cursor=</c>.</summary>
internal sealed record MintOrdersRequest(PublicKey Mint, string Type, Paging Paging)
{
    /// <summary><c>up_orders</c>: shorts by price ascending; <c>down_orders</c>: longs descending.</summary>
    public bool Up => Type != "down_orders";

    public static Bound<MintOrdersRequest> Bind(IQueryCollection query)
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
        var paging = Paging.Read(q, type == "down_orders" ? CursorList.DownOrders : CursorList.UpOrders, "cursor");
        return q.Problems.Count > 0 || mint is not { } key || type is null
            ? q.Refusal<MintOrdersRequest>()
            : new MintOrdersRequest(key, type, paging);
    }
}

/// <summary><c>GET /api/user_orders?user=&amp;mint=&amp;order_by=&amp;limit=&amp;page=&amp;cursor=</c>.</summary>
internal sealed record UserOrdersRequest(PublicKey User, PublicKey? Mint, string OrderBy, Paging Paging)
{
    public bool NewestFirst => OrderBy == "start_time_desc";

    public static Bound<UserOrdersRequest> Bind(IQueryCollection query)
    {
        var q = new QueryParameters(query);
        var user = q.Address("user");
        var mint = q.Address("mint", required: false);
        var order = q.Choice("order_by", "start_time_desc", "start_time_desc", "start_time_asc");
        var list = order == "start_time_desc" ? CursorList.UserOrdersDescending : CursorList.UserOrdersAscending;
        var paging = Paging.Read(q, list, "cursor");
        return q.Problems.Count > 0 || user is not { } key ? q.Refusal<UserOrdersRequest>() : new UserOrdersRequest(key, mint, order, paging);
    }
}
