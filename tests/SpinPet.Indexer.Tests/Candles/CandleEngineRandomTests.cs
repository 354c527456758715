using SpinPet.Core.Candles;
using SpinPet.Core.Events;
using SpinPet.Core.Ingest;
using SpinPet.Storage;
using SpinPet.Storage.Tests;

namespace SpinPet.Indexer.Tests.Candles;

/// <summary>
/// The candle engine on a real RocksDB store fed like the ingest feeds it at its worst: random batch sizes, batches
/// applied twice, batches reaching back over transactions already stored, and the process restarted (engine and store
/// recreated from disk) at random points. The stored candles must equal the independent reference and the rebuild.
/// </summary>
public sealed class SpinPetIndexerRandomTests
{
    private static readonly Interval[] Intervals = [Interval.S1, Interval.S30, Interval.M1, Interval.M5, Interval.H1];

    [Theory]
    [InlineData(1, VolumeUnit.Sol)]
    [InlineData(2, VolumeUnit.None)]
    [InlineData(3, VolumeUnit.Token)]
    public void Duplicates_overlaps_and_restarts_give_the_reference_candles_and_counts_and_the_rebuild_gives_them_too(int seed, VolumeUnit unit)
    {
        var chain = RandomChain.Generate(seed, count: 1_500);
        using var fixture = new StoreFixture();
        var rng = new Random(seed);
        var engine = Engine(fixture.Store, unit);
        int restarts = Feed(fixture, chain, rng, ref engine, unit, finalize: null);
        Assert.True(restarts > 0);

        var expected = CandleRow.Reference(chain, Intervals, PriceScale.Default, unit);
        Assert.Equal(expected, CandleRow.Stored(fixture.Store));
        Assert.Equal(CandleRow.Counts(expected), CandleRow.Counts(fixture.Store, Intervals));

        engine.RebuildCandles();
        Assert.Equal(expected, CandleRow.Stored(fixture.Store));
        Assert.Equal(CandleRow.Counts(expected), CandleRow.Counts(fixture.Store, Intervals));
        // And after restarting once more, from the rebuilt store.
        Engine(fixture.Reopen(), unit).RebuildCandles();
        Assert.Equal(expected, CandleRow.Stored(fixture.Store));
    }

    [Theory]
    [InlineData(4)]
    [InlineData(5)]
    public void With_the_finalizer_running_between_batches_the_rebuild_reproduces_the_live_candles(int seed)
    {
        var chain = RandomChain.Generate(seed, count: 1_500);
        using var fixture = new StoreFixture();
        var rng = new Random(seed);
        var engine = Engine(fixture.Store, VolumeUnit.Sol);
        // The wall clock runs from a little behind to a few seconds ahead of the chain, so candles turn final by the
        // clock and events of block times that went backwards then arrive for them (late markers).
        Feed(fixture, chain, rng, ref engine, VolumeUnit.Sol,
            finalize: e => e.FinalizeDue((e.ChainClock * 1000) + rng.Next(-2_000, 6_000), caughtUp: rng.Next(5) > 0, graceMs: 1_000));
        var live = CandleRow.Stored(fixture.Store);
        var counts = CandleRow.Counts(fixture.Store, Intervals);
        Assert.NotEmpty(fixture.Store.Candles.ReadLateCandleEvents());

        engine.RebuildCandles();
        Assert.Equal(live, CandleRow.Stored(fixture.Store));
        Assert.Equal(counts, CandleRow.Counts(fixture.Store, Intervals));
        Engine(fixture.Reopen(), VolumeUnit.Sol).RebuildCandles();
        Assert.Equal(live, CandleRow.Stored(fixture.Store));
    }

    /// <summary>Applies the chain in random batches with repeats and overlaps, restarting now and then. Returns the restarts.</summary>
    private static int Feed(StoreFixture fixture, List<IngestedTransaction> chain, Random rng, ref SpinPetIndexer engine, VolumeUnit unit, Action<SpinPetIndexer>? finalize)
    {
        int next = 0, restarts = 0;
        while (next < chain.Count)
        {
            // A third of the batches reach back over up to 10 transactions already stored.
            int start = rng.Next(3) == 0 ? Math.Max(0, next - rng.Next(1, 11)) : next;
            var batch = chain.GetRange(start, Math.Min(rng.Next(1, 40), chain.Count - start));
            engine.Apply(batch, RandomChain.CheckpointOf(batch[^1]));
            if (rng.Next(5) == 0)
            {
                engine.Apply(batch, RandomChain.CheckpointOf(batch[^1]));
            }
            next = Math.Max(next, start + batch.Count);
            finalize?.Invoke(engine);
            if (rng.Next(12) == 0)
            {
                engine = Engine(fixture.Reopen(), unit);
                restarts++;
            }
        }
        return restarts;
    }

    private static SpinPetIndexer Engine(SpinPetStore store, VolumeUnit unit) => IndexerTestWrites.Create(store, Intervals, PriceScale.Default, unit);
}
