using RocksDbSharp;
using SpinPet.Core.Chain;
using SpinPet.Core.Events;
using SpinPet.Core.Ingest;
using static SpinPet.Storage.Tests.TestChain;
using Checkpoint = SpinPet.Core.Ingest.Checkpoint;

namespace SpinPet.Storage.Tests;

public sealed class ApplyTests
{
    [Fact]
    public void Events_round_trip_with_exact_payloads_positions_and_block_time()
    {
        using var fixture = new StoreFixture();
        // u128 prices beyond 2^64 and 2^53: only the raw payload keeps them exact.
        var buy = BuySell(0, 1_000_000, UInt128.MaxValue - 7);
        var liquidate = ForceLiquidate(1);
        var transaction = Transaction(1, slot: 301_234_567, txIndex: 4, buy, liquidate);

        var result = fixture.Store.Apply([transaction], CheckpointOf(transaction));

        Assert.Equal(new ApplyResult(Applied: 1, Duplicates: 0, Failed: 0, EventsWritten: 2, RejectedWritten: 0), result);
        var stored = fixture.Store.Events.ReadEvents().ToList();
        Assert.Equal(2, stored.Count);
        Assert.Equal(new ChainPosition(301_234_567, 4, 0), stored[0].Position);
        Assert.Equal(new ChainPosition(301_234_567, 4, 1), stored[1].Position);
        Assert.All(stored, e => Assert.Equal(transaction.Signature, e.Signature));
        Assert.All(stored, e => Assert.Equal(transaction.BlockTime, e.BlockTime));
        Assert.Equal(EventKind.BuySell, stored[0].Kind);
        Assert.Equal(EventKind.ForceLiquidate, stored[1].Kind);
        Assert.Equal(buy.Payload.ToArray(), stored[0].Payload.ToArray());
        Assert.Equal(liquidate.Payload.ToArray(), stored[1].Payload.ToArray());
    }

    [Fact]
    public void Two_events_of_the_same_kind_in_one_transaction_are_both_kept()
    {
        using var fixture = new StoreFixture();
        var transaction = Transaction(1, 10, 0, BuySell(0, 111, 1), BuySell(1, 222, 2));

        fixture.Store.Apply([transaction], CheckpointOf(transaction));

        var stored = fixture.Store.Events.ReadEvents().ToList();
        Assert.Equal([0, 1], stored.Select(e => (int)e.Position.EventIndex));
        Assert.NotEqual(stored[0].Payload.ToArray(), stored[1].Payload.ToArray());
        Assert.Equal(2UL, fixture.Store.Meta.Counters.EventsOf(EventKind.BuySell));
    }

    [Fact]
    public void A_transaction_listed_twice_in_one_call_is_stored_once()
    {
        using var fixture = new StoreFixture();
        var transaction = Transaction(1, 10, 0, BuySell(0, 1, 1));

        var result = fixture.Store.Apply([transaction, transaction], CheckpointOf(transaction));

        Assert.Equal(1, result.Applied);
        Assert.Equal(1, result.Duplicates);
        Assert.Equal(1, result.EventsWritten);
        Assert.Single(fixture.Store.Events.ReadEvents());
        Assert.Equal(1UL, fixture.Store.Meta.Counters.Events);
        Assert.Equal(1UL, fixture.Store.Meta.Counters.Transactions);
    }

    [Fact]
    public void Applying_a_stored_transaction_again_has_no_effect()
    {
        using var fixture = new StoreFixture();
        var first = Transaction(1, 10, 0, BuySell(0, 1, 1));
        var second = WithRejected(2, 11, 0, [BuySell(0, 2, 2)], Rejected(1, "short body"));
        fixture.Store.Apply([first, second], CheckpointOf(second));
        var counters = fixture.Store.Meta.Counters;
        var events = fixture.Store.Events.ReadEvents().ToList();

        // Replayed with different contents under the same signature: identity is the signature, the copy is ignored.
        var replay = Transaction(1, 99, 7, BuySell(0, 999, 999), BuySell(1, 999, 999));
        var result = fixture.Store.Apply([replay, second], CheckpointOf(second));

        Assert.Equal(new ApplyResult(Applied: 0, Duplicates: 2, Failed: 0, EventsWritten: 0, RejectedWritten: 0), result);
        Assert.Equal(counters, fixture.Store.Meta.Counters);
        Assert.Equal(events.Select(Describe), fixture.Store.Events.ReadEvents().Select(Describe));
        Assert.Single(fixture.Store.Events.ReadRejected());
    }

    [Fact]
    public void Applying_a_stored_transaction_after_reopening_has_no_effect()
    {
        using var fixture = new StoreFixture();
        var transaction = Transaction(1, 10, 0, BuySell(0, 1, 1));
        fixture.Store.Apply([transaction], CheckpointOf(transaction));
        var counters = fixture.Store.Meta.Counters;

        var store = fixture.Reopen();
        var result = store.Apply([transaction], CheckpointOf(transaction));

        Assert.Equal(0, result.Applied);
        Assert.Equal(1, result.Duplicates);
        Assert.Equal(counters, store.Meta.Counters);
        Assert.Single(store.Events.ReadEvents());
    }

    [Fact]
    public void A_failed_transaction_is_recorded_in_signatures_without_events()
    {
        using var fixture = new StoreFixture();
        var failed = Failed(1, 10, 3);

        var result = fixture.Store.Apply([failed], CheckpointOf(failed));

        Assert.Equal(new ApplyResult(Applied: 1, Duplicates: 0, Failed: 1, EventsWritten: 0, RejectedWritten: 0), result);
        Assert.True(fixture.Store.Events.ContainsTransaction(failed.Signature));
        Assert.Equal(new TransactionRow(10, 3, EventCount: 0, Failed: true), fixture.Store.Events.ReadTransaction(failed.Signature));
        Assert.Empty(fixture.Store.Events.ReadEvents());
        Assert.Empty(fixture.Store.Events.ReadRejected());
        Assert.Equal(1UL, fixture.Store.Meta.Counters.Transactions);
        Assert.Equal(1UL, fixture.Store.Meta.Counters.FailedTransactions);
        Assert.Equal(0UL, fixture.Store.Meta.Counters.Events);
        Assert.Equal(1, fixture.Store.Apply([failed], CheckpointOf(failed)).Duplicates);
    }

    [Fact]
    public void A_successful_transaction_row_records_its_position_and_event_count()
    {
        using var fixture = new StoreFixture();
        var transaction = Transaction(1, 77, 5, BuySell(0, 1, 1), ForceLiquidate(2));

        fixture.Store.Apply([transaction], CheckpointOf(transaction));

        Assert.Equal(new TransactionRow(77, 5, EventCount: 2, Failed: false), fixture.Store.Events.ReadTransaction(transaction.Signature));
        Assert.Null(fixture.Store.Events.ReadTransaction(Signature(2)));
        Assert.False(fixture.Store.Events.ContainsTransaction(Signature(2)));
    }

    [Fact]
    public void The_checkpoint_is_written_with_the_events_and_both_survive_reopening()
    {
        using var fixture = new StoreFixture();
        Assert.Null(fixture.Store.Meta.ReadCheckpoint());
        var transaction = Transaction(1, 500, 2, BuySell(0, 1, 1));
        var checkpoint = CheckpointOf(transaction);

        fixture.Store.Apply([transaction], checkpoint);
        Assert.Equal(checkpoint, fixture.Store.Meta.ReadCheckpoint());

        var store = fixture.Reopen();
        Assert.Equal(checkpoint, store.Meta.ReadCheckpoint());
        Assert.Single(store.Events.ReadEvents());
    }

    [Fact]
    public void The_checkpoint_moves_even_when_every_transaction_was_a_duplicate()
    {
        using var fixture = new StoreFixture();
        var transaction = Transaction(1, 10, 0, BuySell(0, 1, 1));
        fixture.Store.Apply([transaction], CheckpointOf(transaction));
        var later = new Checkpoint(Signature(9), 20, 1);

        fixture.Store.Apply([transaction], later);

        Assert.Equal(later, fixture.Store.Meta.ReadCheckpoint());
    }

    [Fact]
    public void Counters_count_events_by_kind_transactions_failures_and_rejections()
    {
        using var fixture = new StoreFixture();
        Assert.Equal(StoreCounters.Empty, fixture.Store.Meta.Counters);
        List<IngestedTransaction> batch =
        [
            Transaction(1, 10, 0, BuySell(0, 1, 1), BuySell(1, 2, 2), ForceLiquidate(2)),
            WithRejected(2, 10, 1, [BuySell(0, 3, 3)], Rejected(1, "bad bool"), Rejected(2, "short body")),
            Failed(3, 11, 0),
        ];

        fixture.Store.Apply(batch, CheckpointOf(batch[^1]));

        var counters = fixture.Store.Meta.Counters;
        Assert.Equal(4UL, counters.Events);
        Assert.Equal(3UL, counters.EventsOf(EventKind.BuySell));
        Assert.Equal(1UL, counters.EventsOf(EventKind.ForceLiquidate));
        Assert.Equal(0UL, counters.EventsOf(EventKind.TokenCreated));
        Assert.Equal(3UL, counters.Transactions);
        Assert.Equal(1UL, counters.FailedTransactions);
        Assert.Equal(2UL, counters.RejectedPayloads);
    }

    [Fact]
    public void Event_indices_that_do_not_increase_are_refused_and_nothing_is_written()
    {
        using var fixture = new StoreFixture();
        var good = Transaction(1, 10, 0, BuySell(0, 1, 1));
        var colliding = Transaction(2, 10, 1, BuySell(3, 1, 1), BuySell(3, 2, 2));

        Assert.Throws<ArgumentException>(() => fixture.Store.Apply([good, colliding], CheckpointOf(colliding)));

        Assert.Empty(fixture.Store.Events.ReadEvents());
        Assert.Null(fixture.Store.Meta.ReadCheckpoint());
        Assert.False(fixture.Store.Events.ContainsTransaction(good.Signature));
        Assert.Equal(StoreCounters.Empty, fixture.Store.Meta.Counters);
        // The store is still usable: the next call starts from a clean batch.
        fixture.Store.Apply([good], CheckpointOf(good));
        Assert.Single(fixture.Store.Events.ReadEvents());
    }

    [Fact]
    public void Rows_of_another_group_commit_in_the_same_write_and_staging_names_only_new_successful_transactions()
    {
        using var fixture = new StoreFixture();
        var first = Transaction(1, 10, 0, BuySell(0, 1, 1));
        fixture.Store.Apply([first], CheckpointOf(first));
        var second = Transaction(2, 11, 0, BuySell(0, 2, 2));
        var failed = Failed(3, 11, 1);

        using (var write = fixture.Store.BeginWrite(fixture.Store.Meta.Position.Next()))
        {
            var staged = fixture.Store.Events.Stage(write, [first, second, failed]);
            Assert.Equal([second.Signature], staged.Stored.Select(t => t.Signature));
            PutOwnRow(fixture.Store, write);
            write.Commit();
        }

        var contributed = Assert.Single(fixture.Store.Events.ReadEvents(), e => e.Position == OwnRowPosition);
        Assert.Equal(EventKind.MilestoneDiscount, contributed.Kind);
    }

    [Fact]
    public void A_write_disposed_without_a_commit_leaves_the_store_untouched()
    {
        using var fixture = new StoreFixture();
        var transaction = Transaction(1, 10, 0, BuySell(0, 1, 1));
        var position = fixture.Store.Meta.Position;

        using (var write = fixture.Store.BeginWrite(position.Next()))
        {
            fixture.Store.Events.Stage(write, [transaction]);
            fixture.Store.Meta.StageCheckpoint(write, CheckpointOf(transaction));
            PutOwnRow(fixture.Store, write);
            // No commit: a throw while staging ends here.
        }

        Assert.Empty(fixture.Store.Events.ReadEvents());
        Assert.Null(fixture.Store.Meta.ReadCheckpoint());
        Assert.False(fixture.Store.Events.ContainsTransaction(transaction.Signature));
        Assert.Equal(StoreCounters.Empty, fixture.Store.Meta.Counters);
        Assert.Equal(position, fixture.Store.Meta.Position);
        // The next write starts clean.
        fixture.Store.Apply([transaction], CheckpointOf(transaction));
        Assert.Single(fixture.Store.Events.ReadEvents());
    }

    [Fact]
    public void A_second_write_while_one_is_open_is_refused_and_the_first_commits_whole()
    {
        using var fixture = new StoreFixture();
        var first = Transaction(1, 10, 0, BuySell(0, 1, 1));
        var second = Transaction(2, 11, 0, BuySell(0, 2, 2));

        // One writer: the check-then-write of the signatures index and the reused batch must not interleave.
        using (var write = fixture.Store.BeginWrite(fixture.Store.Meta.Position.Next()))
        {
            fixture.Store.Events.Stage(write, [first]);
            Assert.Throws<InvalidOperationException>(() => fixture.Store.Apply([second], CheckpointOf(second)));
            write.Commit();
        }

        Assert.Equal([first.Signature], fixture.Store.Events.ReadEvents().Select(e => e.Signature));
        Assert.Equal(1UL, fixture.Store.Meta.Counters.Transactions);
        // Once it ended, the next write is taken.
        fixture.Store.Apply([second], CheckpointOf(second));
        Assert.Equal(2UL, fixture.Store.Meta.Counters.Transactions);
    }

    [Fact]
    public void Calls_after_dispose_throw_and_a_second_dispose_is_harmless()
    {
        using var fixture = new StoreFixture();
        var store = fixture.Store;
        store.Dispose();

        Assert.Throws<ObjectDisposedException>(() => store.Meta.ReadCheckpoint());
        Assert.Throws<ObjectDisposedException>(() => store.Events.ReadEvents());
        Assert.Throws<ObjectDisposedException>(() => store.Apply([], new Checkpoint(Signature(1), 1, 0)));
        store.Dispose();
    }

    private static readonly ChainPosition OwnRowPosition = new(999, 0, 0);

    /// <summary>Stages one row of its own (an event row at a fixed position, so that ReadEvents can see it).</summary>
    private static void PutOwnRow(SpinPetStore store, StoreWrite write)
    {
        var key = new byte[Keys.PositionLength];
        Keys.WritePosition(key, OwnRowPosition);
        var value = new byte[Values.EventLength(8)];
        Values.WriteEvent(value, EventKind.MilestoneDiscount, 42, Signature(999), seq: 1, new byte[8]);
        write.Put(key, value, store.Family(ColumnFamilyNames.Events));
    }
}
