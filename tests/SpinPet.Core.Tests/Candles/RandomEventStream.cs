using SpinPet.Core.Chain;
using SpinPet.Core.Events;
using static SpinPet.Core.Tests.Candles.CandleEvents;

namespace SpinPet.Core.Tests.Candles;

/// <summary>
/// A seeded, chain-ordered stream shaped like the real one: many mints with random-walk prices, bursts within one
/// second, several events per transaction, quiet gaps of minutes to days, and rare block-time regressions.
/// </summary>
internal static class RandomEventStream
{
    private static readonly UInt128 s_initialPrice = UInt128.Parse("279589934762348555452", System.Globalization.CultureInfo.InvariantCulture);

    public static List<ChainEvent> Generate(int seed, int count, long startTime, int mintCount = 40)
    {
        var rng = new Random(seed);
        var mints = Enumerable.Range(0, mintCount).Select(i => Key((seed * 1000) + i)).ToArray();
        var prices = mints.Select(_ => s_initialPrice).ToArray();
        var events = new List<ChainEvent>(count);
        long time = startTime;
        ulong slot = 300_000_000;

        while (events.Count < count)
        {
            // One block: its time, then a few transactions of one to four events each.
            slot += (ulong)rng.Next(1, 4);
            time += rng.Next(100) switch
            {
                < 55 => 0,                          // burst: another block in the same second
                < 85 => rng.Next(1, 4),
                < 93 => rng.Next(4, 400),           // quiet minutes
                < 95 => rng.Next(3600, 200_000),    // quiet hours to days
                _ => -rng.Next(1, 400),             // block time goes backwards
            };
            int transactions = rng.Next(1, 5);
            for (uint tx = 0; tx < transactions && events.Count < count; tx++)
            {
                int mint = rng.Next(mintCount);
                int perTransaction = rng.Next(1, 5);
                for (ushort index = 0; index < perTransaction && events.Count < count; index++)
                {
                    if (rng.Next(8) == 0)
                    {
                        mint = rng.Next(mintCount);
                    }
                    prices[mint] = Walk(rng, prices[mint]);
                    events.Add(At(time, NextEvent(rng, mints[mint], prices[mint]), slot, tx, index));
                }
            }
        }
        return events;
    }

    private static SpinPetEvent NextEvent(Random rng, PublicKey mint, UInt128 price) => rng.Next(20) switch
    {
        < 12 => BuySell(mint, price, solAmount: (ulong)rng.NextInt64(1, 50_000_000_000), tokenAmount: (ulong)rng.NextInt64(1, 10_000_000_000_000)),
        12 => LongShort(mint, price),
        13 => FullClose(mint, price),
        14 => PartialClose(mint, price),
        15 => ForceLiquidate(mint),
        16 => MilestoneDiscount(mint),
        17 => TokenCreated(mint),
        _ => BuySell(mint, price, solAmount: 0, tokenAmount: 0),
    };

    private static UInt128 Walk(Random rng, UInt128 price)
    {
        if (rng.Next(500) == 0)
        {
            // Rare extremes: the smallest and largest prices the program can report.
            return rng.Next(2) == 0 ? UInt128.One : UInt128.MaxValue;
        }
        if (price > UInt128.MaxValue / 2000 || price < 1000)
        {
            return s_initialPrice;
        }
        return price * (uint)rng.Next(950, 1051) / 1000;
    }
}
