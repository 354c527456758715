using SpinPet.Core.Candles;
using SpinPet.Core.Events;
using SpinPet.Core.Stream;
using SpinPet.Storage;
using SpinPet.Storage.Tests;

namespace SpinPet.Indexer.Tests.Candles;

/// <summary>
/// Every candle row carries the seq of the batch that last changed it (updated_seq), which is what a resume reads
/// (protocol.md, "Position and resume"): the candles that changed after a seq or are not final, found by walking a topic
/// newest first and stopping at the first final candle changed at or before it.
/// </summary>
public sealed class CandlePositionTests
{
    private static readonly Interval[] Intervals = [Interval.S1, Interval.S30, Interval.M1, Interval.M5];

    [Theory]
    [InlineData(21)]
    [InlineData(22)]
    public void Among_final_candles_updated_seq_never_grows_from_newest_to_oldest_and_the_resume_read_finds_exactly_what_changed(int seed)
    {
        var chain = RandomChain.Generate(seed, count: 1_200, mintCount: 4);
        using var fixture = new StoreFixture();
        var rng = new Random(seed);
        var indexer = IndexerTestWrites.Create(fixture.Store, Intervals, PriceScale.Default, VolumeUnit.Sol);
        var seqs = new List<long> { indexer.Position.Seq };
        foreach (var batch in chain.Chunk(15))
        {
            indexer.Apply(batch, RandomChain.CheckpointOf(batch[^1]));
            // The clock runs a little behind to a few seconds ahead of the chain: candles turn final by it too.
            indexer.FinalizeDue((indexer.ChainClock * 1000) + rng.Next(-2_000, 6_000), caughtUp: rng.Next(4) > 0, graceMs: 1_000);
            seqs.Add(indexer.Position.Seq);
        }
        Assert.True(seqs.Count > 50);

        var mints = fixture.Store.Candles.ReadNewestCandles().Select(t => t.Mint).Distinct().ToList();
        foreach (var mint in mints)
        {
            foreach (var interval in Intervals)
            {
                var all = AllNewestFirst(fixture.Store, mint, interval);
                var finals = all.Where(c => c.Candle.IsFinal).Select(c => c.UpdatedSeq).ToList();
                Assert.Equal(finals.OrderByDescending(s => s), finals);
                // Only the newest candle of a topic can be open.
                Assert.All(all.Skip(1), c => Assert.True(c.Candle.IsFinal));
                foreach (long seq in seqs.Where((_, i) => i % 7 == 0))
                {
                    var expected = all.Where(c => c.UpdatedSeq > seq || !c.Candle.IsFinal).ToList();
                    var changed = fixture.Store.Candles.ReadChangedSince(mint, interval, seq, limit: 10_000);
                    Assert.True(changed.Complete);
                    Assert.Equal(expected, changed.Candles);
                }
            }
        }
    }

    [Fact]
    public void Each_batch_stores_its_rows_with_its_seq_and_a_restart_reads_them_back()
    {
        using var fixture = new StoreFixture();
        var indexer = IndexerTestWrites.Create(fixture.Store, Intervals, PriceScale.Default, VolumeUnit.Sol);
        var first = RandomChain.Generate(seed: 31, count: 40, mintCount: 2);
        var applied = indexer.Apply(first, RandomChain.CheckpointOf(first[^1]))!;

        var store = fixture.Reopen();
        Assert.Equal(applied.Position, store.Meta.Position);
        Assert.All(store.Events.ReadEvents(), e => Assert.Equal(applied.Position.Seq, e.Seq));
        foreach (var row in applied.Candles)
        {
            var stored = AllNewestFirst(store, row.Mint, row.Interval).Single(c => c.Candle.Time == row.Candle.Time);
            Assert.Equal(applied.Position.Seq, stored.UpdatedSeq);
            Assert.Equal(row.Candle, stored.Candle);
        }
    }

    [Fact]
    public void A_candle_rebuild_begins_a_new_epoch_at_the_same_seq_and_its_rows_carry_that_seq()
    {
        using var fixture = new StoreFixture();
        var indexer = IndexerTestWrites.Create(fixture.Store, Intervals, PriceScale.Default, VolumeUnit.Sol);
        var chain = RandomChain.Generate(seed: 32, count: 200, mintCount: 2);
        foreach (var batch in chain.Chunk(20))
        {
            indexer.Apply(batch, RandomChain.CheckpointOf(batch[^1]));
        }
        var before = indexer.Position;

        indexer.RebuildCandles();

        var after = indexer.Position;
        Assert.NotEqual(before.Epoch, after.Epoch);
        Assert.Equal(before.Seq, after.Seq);
        Assert.All(fixture.Store.Candles.ReadNewestCandles().SelectMany(t => AllNewestFirst(fixture.Store, t.Mint, t.Interval)),
            c => Assert.Equal(after.Seq, c.UpdatedSeq));
        // The stream goes on in the new epoch.
        var more = RandomChain.Generate(seed: 33, count: 5, mintCount: 2).Select(t => t with { Slot = t.Slot + 1_000_000, BlockTime = t.BlockTime + 100_000 }).ToList();
        Assert.Equal(new StreamPosition(after.Epoch, after.Seq + 1), indexer.Apply(more, RandomChain.CheckpointOf(more[^1]))!.Position);
    }

    /// <summary>Every candle of the topic newest first with its updated_seq: the resume read from before any batch, unbounded.</summary>
    private static List<StoredCandle> AllNewestFirst(SpinPetStore store, Core.Chain.PublicKey mint, Interval interval)
    {
        var page = store.Candles.ReadChangedSince(mint, interval, seq: -1, limit: int.MaxValue);
        Assert.True(page.Complete);
        return [.. page.Candles];
    }
}
