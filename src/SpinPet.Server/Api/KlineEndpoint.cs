using Microsoft.AspNetCore.Http.HttpResults;
using SpinPet.Indexer;
using SpinPet.Storage;

namespace SpinPet.Server.Api;

internal static class KlineEndpoint
{
    public static IEndpointRouteBuilder MapKline(this IEndpointRouteBuilder routes)
    {
        routes.MapGet("/api/kline", (HttpRequest request, SpinPetStore store, SpinPetIndexer engine) => Handle(request.Query, store, engine))
            .WithName("GetKline")
            .WithSummary("Candles of one mint and interval, newest first by default, with keyset paging.");
        return routes;
    }

    private static Results<JsonHttpResult<ApiResponse<KlinePage>>, JsonHttpResult<ApiResponse<object>>> Handle(
        IQueryCollection query, SpinPetStore store, SpinPetIndexer engine)
    {
        var bound = KlineRequest.Bind(query, engine.Intervals);
        if (bound.Request is not { } request)
        {
            return ApiResults.BadRequest(bound.Error);
        }
        var (key, interval, limit) = (request.Mint, request.Interval, request.Limit);
        long total = store.Candles.CountCandles(key, interval);
        // Unknown: no event and no candle of any interval (in-memory counts). A mint with candles but no mint row (a
        // store whose index rows are being rebuilt) is still served.
        if (total == 0 && store.Indexes.GetMint(key) is null && !engine.Intervals.Any(i => store.Candles.CountCandles(key, i) > 0))
        {
            return ApiResults.NotFound(UnknownMint.Message(key));
        }
        var window = request.From is { } start
            ? store.Candles.ReadCandlesFrom(key, interval, start, limit, request.To, request.Skip)
            : store.Candles.ReadCandlesNewest(key, interval, limit, request.Before, request.To, request.Skip);
        var candles = window.Candles.Select(KlineCandle.From).ToList();
        // Newest-first windows page back with `before` = the oldest time returned.
        long? nextBefore = request.From is null && window.HasMore && candles.Count > 0 ? candles[^1].Time : null;
        bool ascending = request.OrderBy == "time_asc";
        if (ascending == (request.From is null))
        {
            candles.Reverse();
        }
        // has_prev: newer candles may exist before this window (a later page, or a window bounded by before/from).
        bool hasPrev = request.Page > 1 || request.Before is not null || request.From is not null;
        var page = new KlinePage(candles, total, request.Page, limit, window.HasMore, hasPrev,
            interval.Name, key.ToString(), window.HasMore, nextBefore);
        return ApiResults.Ok(page, ApiJsonContext.Default.ApiResponseKlinePage);
    }
}
