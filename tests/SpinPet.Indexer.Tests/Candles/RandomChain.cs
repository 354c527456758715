using SpinPet.Core.Chain;
using SpinPet.Core.Events;
using SpinPet.Core.Ingest;
using SpinPet.Storage.Tests;

namespace SpinPet.Indexer.Tests.Candles;

/// <summary>
/// Seeded transactions in chain order, shaped like the real stream: many mints, bursts of blocks in one second,
/// one to four events per transaction (mostly trades with real Borsh payloads, some without a price), reverted
/// transactions, quiet gaps, and block times that now and then go backwards.
/// </summary>
internal static class RandomChain
{
    public const long StartTime = 1_700_000_000;

    public static List<IngestedTransaction> Generate(int seed, int count, int mintCount = 12)
    {
        var rng = new Random(seed);
        var prices = Enumerable.Repeat(UInt128.Parse("279589934762348555452", System.Globalization.CultureInfo.InvariantCulture), mintCount).ToArray();
        var transactions = new List<IngestedTransaction>(count);
        long time = StartTime;
        ulong slot = 300_000_000;
        while (transactions.Count < count)
        {
            slot += (ulong)rng.Next(1, 3);
            time += rng.Next(100) switch
            {
                < 50 => 0,                       // another block in the same second
                < 85 => rng.Next(1, 4),
                < 93 => rng.Next(4, 400),        // quiet minutes
                < 95 => rng.Next(3600, 20_000),  // quiet hours
                _ => -rng.Next(1, 90),           // block time goes backwards
            };
            int perBlock = rng.Next(1, 4);
            for (uint tx = 0; tx < perBlock && transactions.Count < count; tx++)
            {
                int n = (seed * 1_000_000) + transactions.Count;
                if (rng.Next(25) == 0)
                {
                    transactions.Add(new IngestedTransaction(TestChain.Signature(n), slot, tx, time, Failed: true, [TestChain.BuySell(0, 5, 5)], []));
                    continue;
                }
                int mint = rng.Next(mintCount);
                var events = new List<DecodedEvent>();
                int perTransaction = rng.Next(1, 5);
                for (ushort index = 0; index < perTransaction; index++)
                {
                    if (rng.Next(6) == 0)
                    {
                        mint = rng.Next(mintCount);
                    }
                    if (rng.Next(10) == 0)
                    {
                        events.Add(TestChain.ForceLiquidate(index, mint));
                        continue;
                    }
                    prices[mint] = prices[mint] * (uint)rng.Next(950, 1051) / 1000;
                    events.Add(TestChain.BuySell(index, (ulong)rng.NextInt64(1, 1_000_000_000), prices[mint], mint));
                }
                transactions.Add(new IngestedTransaction(TestChain.Signature(n), slot, tx, time, Failed: false, events, []));
            }
        }
        return transactions;
    }

    /// <summary>The events of the successful transactions, in chain order, as the candle reference reads them.</summary>
    public static List<ChainEvent> Events(IEnumerable<IngestedTransaction> transactions) =>
        [.. transactions.Where(t => !t.Failed)
            .SelectMany(t => t.Events.Select(e => new ChainEvent(t.Signature, t.PositionOf(e.Index), t.BlockTime, e.Event)))];

    public static Checkpoint CheckpointOf(IngestedTransaction transaction) => new(transaction.Signature, transaction.Slot, transaction.TxIndex);
}
