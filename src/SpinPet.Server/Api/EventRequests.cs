using SpinPet.Core.Chain;

namespace SpinPet.Server.Api;

/// <summary><c>GET /api/events?mint=&amp;order_by=&amp;limit=&amp;page=&amp;before=</c> (or <c>cursor=</c>).</summary>
internal sealed record MintEventsRequest(PublicKey Mint, string OrderBy, Paging Paging)
{
    public bool NewestFirst => OrderBy == "slot_desc";

    public static Bound<MintEventsRequest> Bind(IQueryCollection query)
    {
        var q = new QueryParameters(query);
        var mint = q.Address("mint");
        var order = q.Choice("order_by", "slot_desc", "slot_asc", "slot_desc");
        var list = order == "slot_desc" ? CursorList.MintEventsDescending : CursorList.MintEventsAscending;
        var paging = Paging.Read(q, list, "before", "cursor");
        return q.Problems.Count > 0 || mint is not { } key ? q.Refusal<MintEventsRequest>() : new MintEventsRequest(key, order, paging);
    }
}

/// <summary><c>GET /api/user_event?user=&amp;mint=&amp;order_by=&amp;limit=&amp;page=&amp;cursor=</c> (or <c>before=</c>).</summary>
internal sealed record UserEventsRequest(PublicKey User, PublicKey? Mint, string OrderBy, Paging Paging)
{
    public bool NewestFirst => OrderBy == "slot_desc";

    public static Bound<UserEventsRequest> Bind(IQueryCollection query)
    {
        var q = new QueryParameters(query);
        var user = q.Address("user");
        var mint = q.Address("mint", required: false);
        var order = q.Choice("order_by", "slot_desc", "slot_asc", "slot_desc");
        var list = order == "slot_desc" ? CursorList.UserEventsDescending : CursorList.UserEventsAscending;
        var paging = Paging.Read(q, list, "cursor", "before");
        return q.Problems.Count > 0 || user is not { } key ? q.Refusal<UserEventsRequest>() : new UserEventsRequest(key, mint, order, paging);
    }
}
