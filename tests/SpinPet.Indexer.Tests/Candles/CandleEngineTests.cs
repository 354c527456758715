using Microsoft.Extensions.Logging.Abstractions;
using SpinPet.Core.Candles;
using SpinPet.Core.Events;
using SpinPet.Core.Ingest;
using SpinPet.Core.Stream;
using SpinPet.Storage;
using SpinPet.Storage.Tests;

namespace SpinPet.Indexer.Tests.Candles;

/// <summary>The candle engine on a real RocksDB store: late events, a failing finalizer write, rebuilds at start.</summary>
public sealed class SpinPetIndexerTests
{
    private static readonly Interval[] Intervals = [Interval.S1, Interval.S30, Interval.M5, Interval.M1, Interval.H1];

    [Fact]
    public void A_rebuild_skips_an_event_the_live_builder_skipped_because_the_wall_clock_had_finalized_its_candle()
    {
        using var fixture = new StoreFixture();
        var engine = Engine(fixture.Store);
        var first = Trade(1, slot: 10, time: 1_000, price: 100);
        engine.Apply([first], RandomChain.CheckpointOf(first));
        // Caught up and 2.5 s past the end of second 1000 with a 2 s grace: the s1 candle is final, longer ones are not.
        Assert.Equal(1, engine.FinalizeDue(wallClockMs: 1_003_500, caughtUp: true, graceMs: 2_000));

        var late = Trade(2, slot: 11, time: 1_000, price: 120);
        engine.Apply([late], RandomChain.CheckpointOf(late));
        var live = CandleRow.Stored(fixture.Store);
        Assert.Equal(1, live.Single(c => c.Seconds == 1).UpdateCount);
        Assert.Equal(2, live.Single(c => c.Seconds == 30).UpdateCount);
        Assert.Equal([new LateCandleEvent(late.PositionOf(0), 1)], fixture.Store.Candles.ReadLateCandleEvents());

        engine.RebuildCandles();
        Assert.Equal(live, CandleRow.Stored(fixture.Store));

        // A fresh process rebuilding from what is stored gives the same.
        Engine(fixture.Reopen()).RebuildCandles();
        Assert.Equal(live, CandleRow.Stored(fixture.Store));
        Assert.Single(fixture.Store.Candles.ReadLateCandleEvents());
    }

    [Fact]
    public void A_finalizer_write_that_fails_leaves_the_candle_open_in_memory_as_it_is_in_storage()
    {
        using var fixture = new StoreFixture();
        var pushes = new RecordingListener();
        var engine = Engine(fixture.Store, pushes);
        var first = Trade(1, slot: 10, time: 1_000, price: 100);
        engine.Apply([first], RandomChain.CheckpointOf(first));
        pushes.Batches.Clear();

        // The write fails (the store is closed): nothing was stored final, so the builder must not hold it final either.
        fixture.Store.Dispose();
        Assert.Throws<ObjectDisposedException>(() => engine.Apply(StreamBatch.FinalizeAt(1_001), new StreamPosition("e", 2)));

        Assert.True(engine.TryGetNewest(TestChain.Key(1), Interval.S1, out var candle));
        Assert.False(candle.IsFinal);
        Assert.Empty(pushes.Batches);
    }

    [Fact]
    public void A_rebuild_cut_short_is_redone_at_the_next_start_before_anything_builds_on_the_partial_candles()
    {
        using var fixture = new StoreFixture();
        var engine = Engine(fixture.Store);
        engine.EnsureCurrent(NullLogger.Instance);
        var chain = RandomChain.Generate(seed: 7, count: 300);
        foreach (var batch in chain.Chunk(25))
        {
            engine.Apply(batch, RandomChain.CheckpointOf(batch[^1]));
        }
        var live = CandleRow.Stored(fixture.Store);
        var counts = CandleRow.Counts(fixture.Store, Intervals);

        // What Rebuild leaves when the process dies after its first batch: the old candles deleted with the marker
        // set (one batch), then a part of the new ones.
        var partial = fixture.Store.Candles.ReadAllCandles().Take(live.Count / 3).Select(c => new CandleWrite(c.Mint, c.Interval, c.Candle, IsNew: true)).ToList();
        fixture.Store.BeginCandleRebuild();
        fixture.Store.WriteCandles(partial);
        Assert.True(fixture.Store.Meta.CandleRebuildPending);

        var restarted = Engine(fixture.Reopen());
        Assert.Contains("interrupted", restarted.RebuildReason(), StringComparison.Ordinal);
        restarted.EnsureCurrent(NullLogger.Instance);

        Assert.NotNull(restarted.RebuiltAtStart);
        Assert.False(fixture.Store.Meta.CandleRebuildPending);
        Assert.Null(restarted.RebuildReason());
        Assert.Equal(live, CandleRow.Stored(fixture.Store));
        Assert.Equal(counts, CandleRow.Counts(fixture.Store, Intervals));
        // The rebuilt builder continues like the live one: the next transactions give the reference candles.
        var more = RandomChain.Generate(seed: 8, count: 100).Select(t => t with { Slot = t.Slot + 1_000_000, BlockTime = t.BlockTime + 100_000 }).ToList();
        restarted.Apply(more, RandomChain.CheckpointOf(more[^1]));
        Assert.Equal(CandleRow.Reference([.. chain, .. more], Intervals, PriceScale.Default, VolumeUnit.Sol), CandleRow.Stored(fixture.Store));
    }

    [Theory]
    [InlineData("volume_unit")]
    [InlineData("intervals")]
    [InlineData("price_scale_exponent")]
    public void Candles_built_with_other_settings_are_rebuilt_at_start_and_the_reason_names_both(string changed)
    {
        using var fixture = new StoreFixture();
        var engine = Engine(fixture.Store);
        engine.EnsureCurrent(NullLogger.Instance);
        Assert.Null(engine.RebuiltAtStart);
        Assert.Equal(engine.Settings.Fingerprint, fixture.Store.Meta.ReadCandleSettings());
        var chain = RandomChain.Generate(seed: 11, count: 200);
        engine.Apply(chain, RandomChain.CheckpointOf(chain[^1]));

        Interval[] intervals = changed == "intervals" ? [.. Intervals, Interval.D1] : Intervals;
        var scale = changed == "price_scale_exponent" ? new PriceScale(26) : PriceScale.Default;
        var unit = changed == "volume_unit" ? VolumeUnit.Token : VolumeUnit.Sol;
        var reconfigured = IndexerTestWrites.Create(fixture.Reopen(), intervals, scale, unit);
        var reason = reconfigured.RebuildReason();
        Assert.NotNull(reason);
        Assert.Contains(engine.Settings.Fingerprint, reason, StringComparison.Ordinal);
        Assert.Contains(reconfigured.Settings.Fingerprint, reason, StringComparison.Ordinal);

        reconfigured.EnsureCurrent(NullLogger.Instance);
        Assert.NotNull(reconfigured.RebuiltAtStart);
        Assert.Equal(reconfigured.Settings.Fingerprint, fixture.Store.Meta.ReadCandleSettings());
        Assert.Equal(CandleRow.Reference(chain, intervals, scale, unit), CandleRow.Stored(fixture.Store));

        // The next start with the same settings builds on them.
        var again = IndexerTestWrites.Create(fixture.Reopen(), intervals, scale, unit);
        again.EnsureCurrent(NullLogger.Instance);
        Assert.Null(again.RebuiltAtStart);
    }

    [Fact]
    public void A_store_with_events_but_no_recorded_settings_is_rebuilt_once_and_an_empty_one_only_records_them()
    {
        using var fixture = new StoreFixture();
        var empty = Engine(fixture.Store);
        Assert.Null(empty.RebuildReason());
        empty.EnsureCurrent(NullLogger.Instance);
        Assert.Null(empty.RebuiltAtStart);
        Assert.Equal(empty.Settings.Fingerprint, fixture.Store.Meta.ReadCandleSettings());

        using var older = new StoreFixture();
        var chain = RandomChain.Generate(seed: 12, count: 100);
        // Written as a version without settings wrote it: events and candles, no fingerprint.
        Engine(older.Store).Apply(chain, RandomChain.CheckpointOf(chain[^1]));
        var restarted = Engine(older.Reopen());
        Assert.Contains("no settings", restarted.RebuildReason(), StringComparison.Ordinal);
        restarted.EnsureCurrent(NullLogger.Instance);
        Assert.NotNull(restarted.RebuiltAtStart);
        Assert.Equal(CandleRow.Reference(chain, Intervals, PriceScale.Default, VolumeUnit.Sol), CandleRow.Stored(older.Store));
        Assert.Null(Engine(older.Reopen()).RebuildReason());
    }

    internal static SpinPetIndexer Engine(SpinPetStore store, params IAppliedBatchListener[] listeners) =>
        IndexerTestWrites.Create(store, Intervals, PriceScale.Default, VolumeUnit.Sol, listeners);

    private static IngestedTransaction Trade(int n, ulong slot, long time, ulong price) =>
        new(TestChain.Signature(n), slot, 0, time, Failed: false, [TestChain.BuySell(0, 10, price)], []);
}
