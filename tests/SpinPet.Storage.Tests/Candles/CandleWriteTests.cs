using SpinPet.Core.Candles;
using SpinPet.Core.Chain;
using SpinPet.Core.Ingest;
using static SpinPet.Storage.Tests.Candles.CandleData;
using static SpinPet.Storage.Tests.TestChain;

namespace SpinPet.Storage.Tests.Candles;

public sealed class CandleWriteTests
{
    [Fact]
    public void Counts_grow_only_when_a_new_candle_key_is_written()
    {
        using var fixture = new StoreFixture();
        var store = fixture.Store;

        store.WriteCandles([New(1, Interval.S30, 0)]);
        Assert.Equal(1, store.Candles.CountCandles(Mint(1), Interval.S30));

        // An update of the open candle.
        store.WriteCandles([new CandleWrite(Mint(1), Interval.S30, At(0, updateCount: 2), IsNew: false)]);
        Assert.Equal(1, store.Candles.CountCandles(Mint(1), Interval.S30));

        // A replay that claims the candle is new again (restart, rebuild over existing rows): the key exists.
        store.WriteCandles([New(1, Interval.S30, 0)]);
        Assert.Equal(1, store.Candles.CountCandles(Mint(1), Interval.S30));

        // Opened and updated within one batch: one new key.
        store.WriteCandles([New(1, Interval.S30, 30), New(1, Interval.S30, 30), new CandleWrite(Mint(1), Interval.S30, At(30, updateCount: 3), IsNew: false)]);
        Assert.Equal(2, store.Candles.CountCandles(Mint(1), Interval.S30));
        Assert.Equal(3, Assert.Single(store.Candles.ReadCandlesNewest(Mint(1), Interval.S30, 1).Candles).UpdateCount);

        store.WriteCandles([New(1, Interval.S30, 60), New(1, Interval.S1, 60), New(2, Interval.S30, 60)]);
        Assert.Equal(3, store.Candles.CountCandles(Mint(1), Interval.S30));
        Assert.Equal(1, store.Candles.CountCandles(Mint(1), Interval.S1));
        Assert.Equal(1, store.Candles.CountCandles(Mint(2), Interval.S30));

        store = fixture.Reopen();
        Assert.Equal(3, store.Candles.CountCandles(Mint(1), Interval.S30));
        Assert.Equal(1, store.Candles.CountCandles(Mint(1), Interval.S1));
        Assert.Equal(3, store.Candles.ReadCandlesNewest(Mint(1), Interval.S30, 100).Candles.Count);

        // After reopening (the topic's newest time read back from its row): a candle after the newest is a new key,
        // a replay of the newest and of an older one are not.
        store.WriteCandles([New(1, Interval.S30, 90)]);
        store.WriteCandles([New(1, Interval.S30, 90), New(1, Interval.S30, 30)]);
        Assert.Equal(4, store.Candles.CountCandles(Mint(1), Interval.S30));
    }

    [Fact]
    public void A_later_row_for_the_same_candle_in_one_batch_wins()
    {
        using var fixture = new StoreFixture();

        fixture.Store.WriteCandles(
        [
            New(1, Interval.S1, 5),
            new CandleWrite(Mint(1), Interval.S1, At(5, updateCount: 2), IsNew: false),
            new CandleWrite(Mint(1), Interval.S1, At(5, isFinal: true, updateCount: 3), IsNew: false),
        ]);

        Assert.Equal(At(5, isFinal: true, updateCount: 3), Assert.Single(fixture.Store.Candles.ReadAllCandles()).Candle);
    }

    [Fact]
    public void Candles_written_with_events_are_both_there_after_reopening()
    {
        using var fixture = new StoreFixture();
        var first = Transaction(1, 10, 0, BuySell(0, 1, 1));
        var second = Transaction(2, 11, 0, BuySell(0, 2, 2));

        fixture.Store.Apply([first, second], CheckpointOf(second), OneCandlePerTransaction);
        var store = fixture.Reopen();

        Assert.Equal(2, store.Events.ReadEvents().Count());
        Assert.Equal([second.BlockTime, first.BlockTime], Times(store.Candles.ReadCandlesNewest(Mint(1), Interval.S1, 10)));
        Assert.Equal(2, store.Candles.CountCandles(Mint(1), Interval.S1));
        Assert.Equal(CheckpointOf(second), store.Meta.ReadCheckpoint());
    }

    [Fact]
    public void The_candle_builder_between_staging_and_commit_gets_exactly_the_transactions_being_stored()
    {
        using var fixture = new StoreFixture();
        var stored = Transaction(1, 10, 0, BuySell(0, 1, 1));
        fixture.Store.Apply([stored], CheckpointOf(stored));
        var fresh = Transaction(2, 11, 0, BuySell(0, 2, 2));
        var failed = Failed(3, 11, 1);
        var seen = new List<TxSignature>();

        fixture.Store.Apply([stored, fresh, fresh, failed], CheckpointOf(failed), transactions =>
        {
            seen.AddRange(transactions.Select(t => t.Signature));
            return OneCandlePerTransaction(transactions);
        });

        Assert.Equal([fresh.Signature], seen);
        Assert.Equal([fresh.BlockTime], Times(fixture.Store.Candles.ReadCandlesNewest(Mint(1), Interval.S1, 10)));
    }

    [Fact]
    public void The_candle_builder_gets_an_empty_list_when_everything_was_a_duplicate()
    {
        using var fixture = new StoreFixture();
        var transaction = Transaction(1, 10, 0, BuySell(0, 1, 1));
        fixture.Store.Apply([transaction], CheckpointOf(transaction));
        int calls = 0;

        var result = fixture.Store.Apply([transaction], CheckpointOf(transaction), transactions =>
        {
            calls++;
            Assert.Empty(transactions);
            return [];
        });

        Assert.Equal(1, calls);
        Assert.Equal(1, result.Duplicates);
        Assert.Empty(fixture.Store.Candles.ReadAllCandles());
    }

    [Fact]
    public void A_batch_whose_events_are_refused_writes_no_candles()
    {
        using var fixture = new StoreFixture();
        // A repeated event index would overwrite a row: Apply refuses the whole call before anything is written.
        var bad = Transaction(1, 10, 0, BuySell(0, 1, 1), BuySell(0, 2, 2));

        Assert.Throws<ArgumentException>(() => fixture.Store.Apply([bad], CheckpointOf(bad), OneCandlePerTransaction));

        Assert.Empty(fixture.Store.Candles.ReadAllCandles());
        Assert.Empty(fixture.Store.Candles.ReadNewestCandles());
        Assert.Equal(0, fixture.Store.Candles.CountCandles(Mint(1), Interval.S1));
        Assert.Empty(fixture.Store.Events.ReadEvents());
        Assert.Null(fixture.Store.Meta.ReadCheckpoint());
        Assert.Empty(fixture.Reopen().Candles.ReadAllCandles());
    }

    [Fact]
    public void A_candle_builder_that_throws_before_the_commit_leaves_neither_events_nor_candles()
    {
        using var fixture = new StoreFixture();
        var transaction = Transaction(1, 10, 0, BuySell(0, 1, 1));

        Assert.Throws<InvalidOperationException>(() => fixture.Store.Apply(
            [transaction], CheckpointOf(transaction), IReadOnlyList<CandleWrite> (_) => throw new InvalidOperationException("builder failed")));

        Assert.Empty(fixture.Store.Events.ReadEvents());
        Assert.False(fixture.Store.Events.ContainsTransaction(transaction.Signature));
        Assert.Empty(fixture.Store.Candles.ReadAllCandles());
        Assert.Equal(StoreCounters.Empty, fixture.Store.Meta.Counters);
    }

    [Fact]
    public void Counts_staged_by_a_failed_write_are_never_published()
    {
        using var fixture = new StoreFixture();
        var first = Transaction(1, 10, 0, BuySell(0, 1, 1));
        var tooLong = Interval.Parse("d50000");

        // The first candle is staged (count 1 pending), the second cannot be stored: the call fails.
        Assert.Throws<ArgumentException>(() => fixture.Store.Apply(
            [first], CheckpointOf(first), _ => [New(1, Interval.S1, 10), New(1, tooLong, 0)]));
        Assert.Equal(0, fixture.Store.Candles.CountCandles(Mint(1), Interval.S1));

        // The next write, with and without candles, must not publish what the failed one staged.
        fixture.Store.Apply([first], CheckpointOf(first));
        Assert.Equal(0, fixture.Store.Candles.CountCandles(Mint(1), Interval.S1));
        fixture.Store.WriteCandles([New(2, Interval.S1, 10)]);
        Assert.Equal(0, fixture.Store.Candles.CountCandles(Mint(1), Interval.S1));
        Assert.Equal(1, fixture.Store.Candles.CountCandles(Mint(2), Interval.S1));
        Assert.Equal([Mint(2)], fixture.Store.Candles.ReadAllCandles().Select(c => c.Mint));
    }

    [Fact]
    public void Deleting_all_candles_empties_both_families_and_resets_the_counts_but_keeps_the_events()
    {
        using var fixture = new StoreFixture();
        var transaction = Transaction(1, 10, 0, BuySell(0, 1, 1));
        fixture.Store.Apply([transaction], CheckpointOf(transaction), OneCandlePerTransaction);
        fixture.Store.WriteCandles([.. Series(1, Interval.S30, [0, 30, 60]), .. Series(2, Interval.M5, [-300, 0])]);
        fixture.Store.Flush();

        fixture.Store.DeleteAllCandles();

        Assert.Empty(fixture.Store.Candles.ReadAllCandles());
        Assert.Empty(fixture.Store.Candles.ReadNewestCandles());
        Assert.Empty(fixture.Store.Candles.ReadCandlesNewest(Mint(1), Interval.S30, 10).Candles);
        Assert.False(fixture.Store.Candles.TryGetNewestCandle(Mint(2), Interval.M5, out _));
        Assert.Equal(0, fixture.Store.Candles.CountCandles(Mint(1), Interval.S30));
        Assert.Single(fixture.Store.Events.ReadEvents());

        var store = fixture.Reopen();
        Assert.Empty(store.Candles.ReadAllCandles());
        Assert.Equal(0, store.Candles.CountCandles(Mint(2), Interval.M5));

        // Writing again counts from zero.
        store.WriteCandles(Series(1, Interval.S30, [0, 30]));
        Assert.Equal(2, store.Candles.CountCandles(Mint(1), Interval.S30));
        Assert.Equal(2, fixture.Reopen().Candles.CountCandles(Mint(1), Interval.S30));
    }

    [Fact]
    public void Writing_the_same_rows_again_after_deleting_all_candles_restores_the_candles_and_counts()
    {
        using var fixture = new StoreFixture();
        var transactions = Enumerable.Range(0, 50).Select(n => Transaction(n, (ulong)(n * 7), 0, BuySell(0, 1, 1))).ToArray();
        foreach (var chunk in transactions.Chunk(8))
        {
            fixture.Store.Apply(chunk, CheckpointOf(chunk[^1]), ThreeIntervals);
        }
        var live = fixture.Store.Candles.ReadAllCandles().ToList();
        var counts = Interval.Required.Select(i => fixture.Store.Candles.CountCandles(Mint(1), i)).ToArray();

        fixture.Store.DeleteAllCandles();
        fixture.Store.WriteCandles(ThreeIntervals(transactions));

        Assert.Equal(live, fixture.Store.Candles.ReadAllCandles());
        Assert.Equal(counts, Interval.Required.Select(i => fixture.Store.Candles.CountCandles(Mint(1), i)));
        Assert.Equal(Interval.Required.Select(i => (long)transactions.Select(t => i.BucketStart(t.BlockTime)).Distinct().Count()), counts);
        Assert.Equal(50, counts[0]);
    }

    [Fact]
    public void A_candle_rebuild_is_pending_from_its_first_batch_to_its_last_across_reopens_and_stores_its_settings()
    {
        using var fixture = new StoreFixture();
        var transactions = Enumerable.Range(0, 20).Select(n => Transaction(n, (ulong)(n * 7), 0, BuySell(0, 1, 1))).ToArray();
        fixture.Store.Apply(transactions, CheckpointOf(transactions[^1]), ThreeIntervals);
        var live = fixture.Store.Candles.ReadAllCandles().ToList();
        Assert.False(fixture.Store.Meta.CandleRebuildPending);
        Assert.Null(fixture.Store.Meta.ReadCandleSettings());

        fixture.Store.BeginCandleRebuild();
        Assert.True(fixture.Store.Meta.CandleRebuildPending);
        Assert.Empty(fixture.Store.Candles.ReadAllCandles());
        var rows = ThreeIntervals(transactions);
        fixture.Store.WriteCandles([.. rows.Take(10)]);
        // A crash here: the next open still sees the rebuild pending, over a part of the candles.
        var store = fixture.Reopen();
        Assert.True(store.Meta.CandleRebuildPending);
        Assert.Equal(10, store.Candles.ReadAllCandles().Count());

        store.BeginCandleRebuild();
        store.WriteCandles([.. rows.Take(10)]);
        store.CompleteCandleRebuild([.. rows.Skip(10)], "intervals=s1,s30,m5");
        Assert.False(store.Meta.CandleRebuildPending);
        store = fixture.Reopen();
        Assert.False(store.Meta.CandleRebuildPending);
        Assert.Equal("intervals=s1,s30,m5", store.Meta.ReadCandleSettings());
        Assert.Equal(live, store.Candles.ReadAllCandles());
        Assert.Equal(20, store.Candles.CountCandles(Mint(1), Interval.S1));
    }

    [Fact]
    public void Late_candle_events_are_stored_with_their_events_and_outlive_a_candle_rebuild()
    {
        using var fixture = new StoreFixture();
        var transaction = Transaction(1, 10, 0, BuySell(0, 1, 1), BuySell(1, 1, 1));
        var late = new LateCandleEvent(transaction.PositionOf(1), 30);
        // A refused batch stores neither the events nor the markers.
        Assert.Throws<InvalidOperationException>(() => fixture.Store.Apply(
            [transaction], CheckpointOf(transaction), CandleRows (_) => throw new InvalidOperationException("builder failed")));
        Assert.Empty(fixture.Store.Candles.ReadLateCandleEvents());

        fixture.Store.Apply([transaction], CheckpointOf(transaction), stored => new CandleRows(OneCandlePerTransaction(stored), [late]));
        fixture.Store.BeginCandleRebuild();
        fixture.Store.CompleteCandleRebuild([], "x");

        Assert.Equal([late], fixture.Reopen().Candles.ReadLateCandleEvents());
        Assert.Equal(2, fixture.Store.Events.ReadEvents().Count());
    }

    /// <summary>One s1 candle at each stored transaction's block time, for mint 1.</summary>
    private static IReadOnlyList<CandleWrite> OneCandlePerTransaction(IReadOnlyList<IngestedTransaction> transactions) =>
        transactions.Select(t => New(1, Interval.S1, t.BlockTime)).ToList();

    /// <summary>
    /// s1, s30 and m5 candles of each transaction, flagged new only when the bucket differs from the previous one in
    /// the list (how a builder reports it). Across calls the store's lookup keeps a bucket from being counted twice.
    /// </summary>
    private static IReadOnlyList<CandleWrite> ThreeIntervals(IReadOnlyList<IngestedTransaction> transactions)
    {
        var writes = new List<CandleWrite>();
        foreach (var interval in Interval.Required)
        {
            long? previous = null;
            foreach (var transaction in transactions)
            {
                long time = interval.BucketStart(transaction.BlockTime);
                writes.Add(new CandleWrite(Mint(1), interval, At(time), IsNew: time != previous));
                previous = time;
            }
        }
        return writes;
    }
}
