using SpinPet.Storage;

namespace SpinPet.Server.Api;

/// <summary>
/// <c>GET /api/user_event</c>: a user's events. Margin events belong to the position's owner (<c>user</c>,
/// <c>user_sol_account</c>, or the liquidated order's owner), spot trades and milestone discounts to the payer.
/// </summary>
internal static class UserEventsEndpoint
{
    public static IEndpointRouteBuilder MapUserEvents(this IEndpointRouteBuilder routes)
    {
        routes.MapGet("/api/user_event", (HttpRequest request, SpinPetStore store) => List(request.Query, store))
            .WithName("GetUserEvents")
            .WithSummary("A user's events (optionally of one mint), newest first by default, with keyset paging (cursor = next_cursor).")
            .Produces<ApiResponse<UserEventsPage>>()
            .Produces<ApiResponse<object>>(StatusCodes.Status400BadRequest);
        return routes;
    }

    private static IResult List(IQueryCollection query, SpinPetStore store)
    {
        var q = new QueryParameters(query);
        var user = q.Address("user");
        var mint = q.Address("mint", required: false);
        var order = q.Choice("order_by", "slot_desc", "slot_asc", "slot_desc");
        bool newestFirst = order == "slot_desc";
        var list = newestFirst ? CursorList.UserEventsDescending : CursorList.UserEventsAscending;
        var paging = Paging.Read(q, list, "cursor", "before");
        if (q.Problems.Count > 0 || user is not { } key)
        {
            return ApiResults.BadRequest(q.Error);
        }
        IndexPage<StoredEvent> page;
        try
        {
            page = store.Indexes.ReadUserEvents(key, mint, newestFirst, paging.Cursor, paging.Skip, paging.Limit);
        }
        catch (ArgumentException e) when (e.ParamName == "after")
        {
            return paging.BadCursor();
        }
        var result = new UserEventsPage(
            [.. page.Items.Select(EventJson.From)],
            store.Indexes.CountUserEvents(key, mint),
            key.ToString(),
            mint?.ToString(),
            order,
            paging.Page,
            paging.Limit,
            page.HasMore,
            paging.HasPrevious,
            ApiCursor.Encode(list, page.Next));
        return ApiResults.Ok(result, ApiJsonContext.Default.ApiResponseUserEventsPage);
    }
}
