using SpinPet.Core.Candles;
using SpinPet.Core.Chain;

namespace SpinPet.Server.Api;

/// <summary><c>GET /api/kline?mint=&amp;interval=&amp;limit=&amp;order_by=&amp;from=&amp;to=&amp;before=&amp;page=</c>.</summary>
internal sealed record KlineRequest(PublicKey Mint, Interval Interval, string OrderBy, long? From, long? To, long? Before, int Limit, int Page)
{
    /// <summary><c>page</c> skips whole pages of the same window (for the previous server's clients).</summary>
    public int Skip => (Page - 1) * Limit;

    public static Bound<KlineRequest> Bind(IQueryCollection query, IReadOnlyCollection<Interval> intervals)
    {
        var q = new QueryParameters(query);
        var mint = q.Address("mint");
        var intervalName = q.Text("interval");
        Interval interval = default;
        if (intervalName is null)
        {
            q.Add("interval is required");
        }
        else if (!Interval.TryParse(intervalName, out interval) || !intervals.Contains(interval))
        {
            q.Add($"Invalid interval: {Truncate(intervalName)}, must be one of: {string.Join(", ", intervals)}");
        }
        int limit = Paging.ReadLimit(q);
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
        return q.Problems.Count > 0 || mint is not { } key
            ? q.Refusal<KlineRequest>()
            : new KlineRequest(key, interval, order, from, to, before, limit, page);
    }

    private static string Truncate(string text) => text.Length <= 16 ? text : text[..16] + "…";
}
