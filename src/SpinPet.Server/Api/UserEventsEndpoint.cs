using Microsoft.AspNetCore.Http.HttpResults;
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

    private static Results<JsonHttpResult<ApiResponse<UserEventsPage>>, JsonHttpResult<ApiResponse<object>>> List(IQueryCollection query, SpinPetStore store)
    {
        var bound = UserEventsRequest.Bind(query);
        if (bound.Request is not { } request)
        {
            return ApiResults.BadRequest(bound.Error);
        }
        var paging = request.Paging;
        var page = store.Indexes.ReadUserEvents(request.User, request.Mint, request.NewestFirst, paging.Cursor, paging.Skip, paging.Limit);
        var events = page.Items.Select(EventJson.From).ToList();
        string user = request.User.ToString();
        var result = new UserEventsPage(
            events,
            [.. events.Select(e => UserTransactionJson.From(e, user))],
            store.Indexes.CountUserEvents(request.User, request.Mint),
            user,
            request.Mint?.ToString(),
            request.OrderBy,
            paging.Page,
            paging.Limit,
            page.HasMore,
            paging.HasPrevious,
            paging.NextCursor(page.Next));
        return ApiResults.Ok(result, ApiJsonContext.Default.ApiResponseUserEventsPage);
    }
}
