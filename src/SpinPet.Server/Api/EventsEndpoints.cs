using Microsoft.AspNetCore.Http.HttpResults;
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

    private static Results<JsonHttpResult<ApiResponse<EventsPage>>, JsonHttpResult<ApiResponse<object>>> List(IQueryCollection query, SpinPetStore store)
    {
        var bound = MintEventsRequest.Bind(query);
        if (bound.Request is not { } request)
        {
            return ApiResults.BadRequest(bound.Error);
        }
        if (store.Indexes.GetMint(request.Mint) is not { } mint)
        {
            return ApiResults.NotFound(UnknownMint.Message(request.Mint));
        }
        var paging = request.Paging;
        var page = store.Indexes.ReadMintEvents(request.Mint, request.NewestFirst, paging.Cursor, paging.Skip, paging.Limit);
        var result = new EventsPage(
            [.. page.Items.Select(EventJson.From)],
            mint.EventCount,
            request.Mint.ToString(),
            request.OrderBy,
            paging.Page,
            paging.Limit,
            page.HasMore,
            paging.HasPrevious,
            paging.NextCursor(page.Next));
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
        return new EventStats(
            TokenCreated: counters.EventsOf(EventKind.TokenCreated),
            BuySell: counters.EventsOf(EventKind.BuySell),
            LongShort: counters.EventsOf(EventKind.LongShort),
            ForceLiquidate: counters.EventsOf(EventKind.ForceLiquidate),
            FullClose: counters.EventsOf(EventKind.FullClose),
            PartialClose: counters.EventsOf(EventKind.PartialClose),
            MilestoneDiscount: counters.EventsOf(EventKind.MilestoneDiscount),
            Total: counters.Events,
            TotalEvents: counters.Events,
            EventsByType: byType,
            TotalTransactions: counters.Transactions,
            FailedTransactions: counters.FailedTransactions,
            RejectedPayloads: counters.RejectedPayloads,
            TotalMints: store.Indexes.MintCount);
    }
}
