using SpinPet.Core.Events;
using SpinPet.Storage;

namespace SpinPet.Server.Api;

/// <summary><c>GET /api/events</c> (a mint's events) and <c>GET /api/events/stats</c> (counts per event type).</summary>
internal static class EventsEndpoints
{
    public static IEndpointRouteBuilder MapEvents(this IEndpointRouteBuilder routes)
    {
        routes.MapGet("/api/events", (HttpRequest request, SpinPetStore store) => List(request.Query, store))
            .WithName("GetEvents")
            .WithSummary("A mint's stored events, newest first by default, with keyset paging (before = next_cursor).")
            .Produces<ApiResponse<EventsPage>>()
            .Produces<ApiResponse<object>>(StatusCodes.Status400BadRequest);
        routes.MapGet("/api/events/stats", (SpinPetStore store) => ApiResults.Ok(Stats(store), ApiJsonContext.Default.ApiResponseEventStats))
            .WithName("GetEventStats")
            .WithSummary("Events per event type, transactions and rejected payloads since the database was created.")
            .Produces<ApiResponse<EventStats>>();
        return routes;
    }

    private static IResult List(IQueryCollection query, SpinPetStore store)
    {
        var q = new QueryParameters(query);
        var mint = q.Address("mint");
        var order = q.Choice("order_by", "slot_desc", "slot_asc", "slot_desc");
        bool newestFirst = order == "slot_desc";
        var paging = Paging.Read(q, newestFirst ? CursorList.MintEventsDescending : CursorList.MintEventsAscending, "before", "cursor");
        if (q.Problems.Count > 0 || mint is not { } key)
        {
            return ApiResults.BadRequest(q.Error);
        }
        IndexPage<StoredEvent> page;
        try
        {
            page = store.Indexes.ReadMintEvents(key, newestFirst, paging.Cursor, paging.Skip, paging.Limit);
        }
        catch (ArgumentException e) when (e.ParamName == "after")
        {
            return paging.BadCursor();
        }
        var result = new EventsPage(
            [.. page.Items.Select(EventJson.From)],
            store.Indexes.GetMint(key)?.EventCount ?? 0,
            key.ToString(),
            order,
            paging.Page,
            paging.Limit,
            page.HasMore,
            paging.HasPrevious,
            ApiCursor.Encode(newestFirst ? CursorList.MintEventsDescending : CursorList.MintEventsAscending, page.Next));
        return ApiResults.Ok(result, ApiJsonContext.Default.ApiResponseEventsPage);
    }

    private static EventStats Stats(SpinPetStore store)
    {
        var counters = store.Meta.Counters;
        var byType = new SortedDictionary<string, ulong>(StringComparer.Ordinal);
        foreach (var kind in Enum.GetValues<EventKind>())
        {
            byType[kind.ToString()] = counters.EventsOf(kind);
        }
        return new EventStats(counters.Events, byType, counters.Transactions, counters.FailedTransactions, counters.RejectedPayloads, store.Indexes.MintCount);
    }
}
