using SpinPet.Core.Candles;
using SpinPet.Indexer;
using SpinPet.Storage;

namespace SpinPet.Server.Api;

internal static class KlineEndpoint
{
    private const int DefaultLimit = 50;
    private const int MaxLimit = 1000;

    public static IEndpointRouteBuilder MapKline(this IEndpointRouteBuilder routes)
    {
        routes.MapGet("/api/kline", (HttpRequest request, SpinPetStore store, SpinPetIndexer engine) => Handle(request.Query, store, engine))
            .WithName("GetKline")
            .WithSummary("Candles of one mint and interval, newest first by default, with keyset paging.");
        return routes;
    }

    private static IResult Handle(IQueryCollection query, SpinPetStore store, SpinPetIndexer engine)
    {
        var q = new QueryParameters(query);
        var mint = q.Address("mint");
        var intervalName = q.Text("interval");
        Interval interval = default;
        if (intervalName is null)
        {
            q.Add("interval is required");
        }
        else if (!Interval.TryParse(intervalName, out interval) || !engine.Intervals.Contains(interval))
        {
            q.Add($"Invalid interval: {Truncate(intervalName)}, must be one of: {string.Join(", ", engine.Intervals)}");
        }
        int limit = (int)(q.Integer("limit", 1, MaxLimit) ?? DefaultLimit);
        var order = q.Choice("order_by", "time_desc", "time_asc", "time_desc");
        var from = q.Integer("from", 0, long.MaxValue);
        var to = q.Integer("to", 0, long.MaxValue);
        var before = q.Integer("before", 0, long.MaxValue);
        // `page` exists for the previous server's clients; bounded like every list's (Paging.MaxPageDepth).
        int page = Paging.ReadPage(q, limit, "before=<next_before of the previous page> (or from= forward)");
        if (from is not null && before is not null)
        {
            q.Add("from and before cannot be combined: from pages forward, before pages back");
        }
        if (from is not null && to is not null && from > to)
        {
            q.Add("from must not be after to");
        }
        if (q.Problems.Count > 0 || mint is not { } key)
        {
            return ApiResults.BadRequest(q.Error);
        }

        int skip = (page - 1) * limit;
        var window = from is { } start
            ? store.Candles.ReadCandlesFrom(key, interval, start, limit, to, skip)
            : store.Candles.ReadCandlesNewest(key, interval, limit, before, to, skip);
        var candles = window.Candles.Select(KlineCandle.From).ToList();
        // Newest-first windows page back with `before` = the oldest time returned.
        long? nextBefore = from is null && window.HasMore && candles.Count > 0 ? candles[^1].Time : null;
        bool ascending = order == "time_asc";
        if (ascending == (from is null))
        {
            candles.Reverse();
        }
        return ApiResults.Ok(new KlinePage(candles, store.Candles.CountCandles(key, interval), interval.Name, key.ToString(), window.HasMore, nextBefore),
            ApiJsonContext.Default.ApiResponseKlinePage);
    }

    private static string Truncate(string text) => text.Length <= 16 ? text : text[..16] + "…";
}
