using SpinPet.Core.Candles;

namespace SpinPet.Server.Api;

/// <summary>A candle on the wire (rest.md / protocol.md field names).</summary>
internal sealed record KlineCandle(long Time, double Open, double High, double Low, double Close, double Volume, bool IsFinal, long UpdateCount)
{
    public static KlineCandle From(Candle c) => new(c.Time, c.Open, c.High, c.Low, c.Close, c.Volume, c.IsFinal, c.UpdateCount);
}

/// <summary>
/// <c>GET /api/kline</c>: one window of a topic's candles and how to get the next one. <c>page</c>, <c>limit</c>,
/// <c>has_next</c> (= <c>has_more</c>) and <c>has_prev</c> are the earlier server's paging fields (rest-legacy.md).
/// </summary>
internal sealed record KlinePage(
    IReadOnlyList<KlineCandle> Klines,
    long Total,
    int Page,
    int Limit,
    bool HasNext,
    bool HasPrev,
    string Interval,
    string MintAccount,
    bool HasMore,
    long? NextBefore);
