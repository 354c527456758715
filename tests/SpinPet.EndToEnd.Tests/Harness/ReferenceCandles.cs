using SpinPet.ChainSimulator;
using SpinPet.Core.Candles;
using SpinPet.Core.Chain;

namespace SpinPet.EndToEnd.Tests.Harness;

/// <summary>
/// Candles computed from the simulator's ledger in the plainest possible way (candles.md read literally), to check
/// the server's candles against something that shares none of its code.
/// </summary>
internal static class ReferenceCandles
{
    public sealed record Expected(string Mint, long Seconds, long Time, double Open, double High, double Low, double Close, long UpdateCount, double Volume = 0);

    /// <summary>
    /// The candles of <paramref name="intervalSeconds"/>; <paramref name="unit"/> = <c>kline.volume_unit</c> (spot
    /// trades' SOL in SOL, or tokens in whole tokens, summed exactly in base units, written in whole units once).
    /// </summary>
    public static List<Expected> Compute(IReadOnlyList<LedgerEvent> events, IEnumerable<long> intervalSeconds, VolumeUnit unit = VolumeUnit.Sol)
    {
        var result = new List<Expected>();
        var trades = events.Where(e => e.Event.LatestPrice is not null).ToList();
        foreach (var seconds in intervalSeconds)
        {
            foreach (var mint in trades.GroupBy(e => e.Event.MintAccount.ToString()))
            {
                Expected? current = null;
                UInt128 baseUnits = 0;
                foreach (var trade in mint)
                {
                    double price = (double)trade.Event.LatestPrice!.Value / 1e28;
                    long bucket = trade.BlockTime - (trade.BlockTime % seconds);
                    if (current is null || current.Time != bucket)
                    {
                        if (current is not null)
                        {
                            result.Add(current);
                        }
                        double open = current?.Close ?? price;
                        baseUnits = 0;
                        current = new Expected(mint.Key, seconds, bucket, open, Math.Max(open, price), Math.Min(open, price), price, 0);
                    }
                    baseUnits += BaseUnits(trade.Event, unit);
                    current = current with
                    {
                        High = Math.Max(current.High, price),
                        Low = Math.Min(current.Low, price),
                        Close = price,
                        UpdateCount = current.UpdateCount + 1,
                        Volume = InWholeUnits(baseUnits, unit),
                    };
                }
                if (current is not null)
                {
                    result.Add(current);
                }
            }
        }
        return result;
    }

    public static void StoredEqualReference(IReadOnlyList<TopicCandle> stored, List<Expected> expected)
    {
        var want = expected.ToDictionary(e => (e.Mint, e.Seconds, e.Time));
        Assert.Equal(expected.Count, stored.Count);
        foreach (var candle in stored)
        {
            var key = (candle.Mint.ToString(), candle.Interval.Seconds, candle.Candle.Time);
            Assert.True(want.TryGetValue(key, out var e), $"unexpected candle {key}");
            var c = candle.Candle;
            Assert.True(e.Open == c.Open && e.High == c.High && e.Low == c.Low && e.Close == c.Close && e.UpdateCount == c.UpdateCount
                && e.Volume == c.Volume,
                $"candle {key}: got {c}, want {e}");
        }
    }

    private static UInt128 BaseUnits(SpinPet.Core.Events.SpinPetEvent ev, VolumeUnit unit) => (ev, unit) switch
    {
        (SpinPet.Core.Events.BuySellEvent trade, VolumeUnit.Sol) => trade.SolAmount,
        (SpinPet.Core.Events.BuySellEvent trade, VolumeUnit.Token) => trade.TokenAmount,
        _ => 0,
    };

    /// <summary>The exact decimal sum rounded once to a double: what a user reads as "1.5 SOL", not 1.4999999999999998.</summary>
    private static double InWholeUnits(UInt128 baseUnits, VolumeUnit unit) => unit switch
    {
        VolumeUnit.Sol => (double)((decimal)baseUnits / 1_000_000_000m),
        VolumeUnit.Token => (double)((decimal)baseUnits / 1_000_000m),
        _ => 0,
    };

    public static string[] Mints(IReadOnlyList<LedgerEvent> events) =>
        [.. events.Where(e => e.Event.LatestPrice is not null).Select(e => e.Event.MintAccount.ToString()).Distinct()];

    public static PublicKey Key(string mint) => PublicKey.Parse(mint);
}
