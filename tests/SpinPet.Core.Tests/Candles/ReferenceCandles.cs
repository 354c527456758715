using SpinPet.Core.Candles;
using SpinPet.Core.Chain;
using SpinPet.Core.Events;

namespace SpinPet.Core.Tests.Candles;

/// <summary>
/// candles.md written as plainly as possible, independent of CandleBuilder: per (mint, interval), drop the events
/// older than the newest bucket seen so far (late), group the rest by bucket, and fold each group with
/// open = previous close.
/// </summary>
internal static class ReferenceCandles
{
    public static Dictionary<(PublicKey Mint, string Interval, long Time), Candle> Build(
        IReadOnlyList<ChainEvent> events, IReadOnlyList<Interval> intervals, int priceExponent, VolumeUnit unit, out long lateEvents)
    {
        var candles = new Dictionary<(PublicKey, string, long), Candle>();
        lateEvents = 0;
        double divisor = priceExponent switch
        {
            0 => 1.0,
            26 => 1e26,
            28 => 1e28,
            _ => throw new ArgumentOutOfRangeException(nameof(priceExponent)),
        };

        var priced = events.Where(e => e.Event.LatestPrice is not null).ToList();
        foreach (var interval in intervals)
        {
            foreach (var topic in priced.GroupBy(e => e.Event.MintAccount))
            {
                var kept = new List<(long Bucket, ChainEvent Event)>();
                long newestBucket = long.MinValue;
                foreach (var e in topic)
                {
                    long bucket = FloorToMultiple(e.BlockTime, interval.Seconds);
                    if (bucket < newestBucket)
                    {
                        lateEvents++;
                        continue;
                    }
                    newestBucket = bucket;
                    kept.Add((bucket, e));
                }

                double? previousClose = null;
                foreach (var bucket in kept.GroupBy(k => k.Bucket))
                {
                    var bucketPrices = bucket.Select(k => (double)k.Event.Event.LatestPrice!.Value / divisor).ToList();
                    double open = previousClose ?? bucketPrices[0];
                    var candle = new Candle(
                        Time: bucket.Key,
                        Open: open,
                        High: Math.Max(open, bucketPrices.Max()),
                        Low: Math.Min(open, bucketPrices.Min()),
                        Close: bucketPrices[^1],
                        Volume: Volume(bucket.Select(k => k.Event.Event), unit),
                        UpdateCount: bucketPrices.Count,
                        IsFinal: false);
                    candles.Add((topic.Key, interval.Name, bucket.Key), candle);
                    previousClose = candle.Close;
                }
            }
        }
        return candles;
    }

    private static long FloorToMultiple(long t, long length)
    {
        long quotient = t / length;
        if (t % length != 0 && t < 0)
        {
            quotient--;
        }
        return quotient * length;
    }

    /// <summary>The exact decimal sum of the spot trades, rounded once to a double (candles.md: summed SOL or tokens).</summary>
    private static double Volume(IEnumerable<SpinPetEvent> events, VolumeUnit unit)
    {
        var trades = events.OfType<BuySellEvent>();
        return unit switch
        {
            VolumeUnit.Sol => (double)(trades.Aggregate(0m, (sum, t) => sum + t.SolAmount) / 1_000_000_000m),
            VolumeUnit.Token => (double)(trades.Aggregate(0m, (sum, t) => sum + t.TokenAmount) / 1_000_000m),
            _ => 0.0,
        };
    }
}
