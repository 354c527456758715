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
        var stored = fixture.Store.ReadEvents().ToList();
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

        var stored = fixture.Store.ReadEvents().ToList();
        Assert.Equal([0, 1], stored.Select(e => (int)e.Position.EventIndex));
        Assert.NotEqual(stored[0].Payload.ToArray(), stored[1].Payload.ToArray());
        Assert.Equal(2UL, fixture.Store.Counters.EventsOf(EventKind.BuySell));
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
        Assert.Single(fixture.Store.ReadEvents());
        Assert.Equal(1UL, fixture.Store.Counters.Events);
        Assert.Equal(1UL, fixture.Store.Counters.Transactions);
    }

    [Fact]
    public void Applying_a_stored_transaction_again_has_no_effect()
    {
        using var fixture = new StoreFixture();
        var first = Transaction(1, 10, 0, BuySell(0, 1, 1));
        var second = WithRejected(2, 11, 0, [BuySell(0, 2, 2)], Rejected(1, "short body"));
        fixture.Store.Apply([first, second], CheckpointOf(second));
        var counters = fixture.Store.Counters;
        var events = fixture.Store.ReadEvents().ToList();

        // Replayed with different contents under the same signature: identity is the signature, the copy is ignored.
        var replay = Transaction(1, 99, 7, BuySell(0, 999, 999), BuySell(1, 999, 999));
        var result = fixture.Store.Apply([replay, second], CheckpointOf(second));

        Assert.Equal(new ApplyResult(Applied: 0, Duplicates: 2, Failed: 0, EventsWritten: 0, RejectedWritten: 0), result);
        Assert.Equal(counters, fixture.Store.Counters);
        Assert.Equal(events.Select(Describe), fixture.Store.ReadEvents().Select(Describe));
        Assert.Single(fixture.Store.ReadRejected());
    }

    [Fact]
    public void Applying_a_stored_transaction_after_reopening_has_no_effect()
    {
        using var fixture = new StoreFixture();
        var transaction = Transaction(1, 10, 0, BuySell(0, 1, 1));
        fixture.Store.Apply([transaction], CheckpointOf(transaction));
        var counters = fixture.Store.Counters;

        var store = fixture.Reopen();
        var result = store.Apply([transaction], CheckpointOf(transaction));

        Assert.Equal(0, result.Applied);
        Assert.Equal(1, result.Duplicates);
        Assert.Equal(counters, store.Counters);
        Assert.Single(store.ReadEvents());
    }

    [Fact]
    public void A_failed_transaction_is_recorded_in_signatures_without_events()
    {
        using var fixture = new StoreFixture();
        var failed = Failed(1, 10, 3);

        var result = fixture.Store.Apply([failed], CheckpointOf(failed));

        Assert.Equal(new ApplyResult(Applied: 1, Duplicates: 0, Failed: 1, EventsWritten: 0, RejectedWritten: 0), result);
        Assert.True(fixture.Store.ContainsTransaction(failed.Signature));
        Assert.Equal(new TransactionRow(10, 3, EventCount: 0, Failed: true), fixture.Store.ReadTransaction(failed.Signature));
        Assert.Empty(fixture.Store.ReadEvents());
        Assert.Empty(fixture.Store.ReadRejected());
        Assert.Equal(1UL, fixture.Store.Counters.Transactions);
        Assert.Equal(1UL, fixture.Store.Counters.FailedTransactions);
        Assert.Equal(0UL, fixture.Store.Counters.Events);
        Assert.Equal(1, fixture.Store.Apply([failed], CheckpointOf(failed)).Duplicates);
    }

    [Fact]
    public void A_successful_transaction_row_records_its_position_and_event_count()
    {
        using var fixture = new StoreFixture();
        var transaction = Transaction(1, 77, 5, BuySell(0, 1, 1), ForceLiquidate(2));

        fixture.Store.Apply([transaction], CheckpointOf(transaction));

        Assert.Equal(new TransactionRow(77, 5, EventCount: 2, Failed: false), fixture.Store.ReadTransaction(transaction.Signature));
        Assert.Null(fixture.Store.ReadTransaction(Signature(2)));
        Assert.False(fixture.Store.ContainsTransaction(Signature(2)));
    }

    [Fact]
    public void The_checkpoint_is_written_with_the_events_and_both_survive_reopening()
    {
        using var fixture = new StoreFixture();
        Assert.Null(fixture.Store.ReadCheckpoint());
        var transaction = Transaction(1, 500, 2, BuySell(0, 1, 1));
        var checkpoint = CheckpointOf(transaction);

        fixture.Store.Apply([transaction], checkpoint);
        Assert.Equal(checkpoint, fixture.Store.ReadCheckpoint());

        var store = fixture.Reopen();
        Assert.Equal(checkpoint, store.ReadCheckpoint());
        Assert.Single(store.ReadEvents());
    }

    [Fact]
    public void The_checkpoint_moves_even_when_every_transaction_was_a_duplicate()
    {
        using var fixture = new StoreFixture();
        var transaction = Transaction(1, 10, 0, BuySell(0, 1, 1));
        fixture.Store.Apply([transaction], CheckpointOf(transaction));
        var later = new Checkpoint(Signature(9), 20, 1);

        fixture.Store.Apply([transaction], later);

        Assert.Equal(later, fixture.Store.ReadCheckpoint());
    }

    [Fact]
    public void Counters_count_events_by_kind_transactions_failures_and_rejections()
    {
        using var fixture = new StoreFixture();
        Assert.Equal(StoreCounters.Empty, fixture.Store.Counters);
        List<IngestedTransaction> batch =
        [
            Transaction(1, 10, 0, BuySell(0, 1, 1), BuySell(1, 2, 2), ForceLiquidate(2)),
            WithRejected(2, 10, 1, [BuySell(0, 3, 3)], Rejected(1, "bad bool"), Rejected(2, "short body")),
            Failed(3, 11, 0),
        ];

        fixture.Store.Apply(batch, CheckpointOf(batch[^1]));

        var counters = fixture.Store.Counters;
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

        Assert.Empty(fixture.Store.ReadEvents());
        Assert.Null(fixture.Store.ReadCheckpoint());
        Assert.False(fixture.Store.ContainsTransaction(good.Signature));
        Assert.Equal(StoreCounters.Empty, fixture.Store.Counters);
        // The store is still usable: the next call starts from a clean batch.
        fixture.Store.Apply([good], CheckpointOf(good));
        Assert.Single(fixture.Store.ReadEvents());
    }

    [Fact]
    public void A_contributor_adds_rows_to_the_same_batch_and_sees_only_new_successful_transactions()
    {
        using var fixture = new StoreFixture();
        var first = Transaction(1, 10, 0, BuySell(0, 1, 1));
        fixture.Store.Apply([first], CheckpointOf(first));
        var second = Transaction(2, 11, 0, BuySell(0, 2, 2));
        var failed = Failed(3, 11, 1);
        var contributor = new RecordingContributor(fixture.Store);

        fixture.Store.Apply([first, second, failed], CheckpointOf(failed), contributor);

        Assert.Equal([second.Signature], contributor.Seen);
        var contributed = Assert.Single(fixture.Store.ReadEvents(), e => e.Position == RecordingContributor.Position);
        Assert.Equal(EventKind.MilestoneDiscount, contributed.Kind);
    }

    [Fact]
    public void A_contributor_that_throws_leaves_the_store_untouched()
    {
        using var fixture = new StoreFixture();
        var transaction = Transaction(1, 10, 0, BuySell(0, 1, 1));

        Assert.Throws<InvalidOperationException>(
            () => fixture.Store.Apply([transaction], CheckpointOf(transaction), new ThrowingContributor(fixture.Store)));

        Assert.Empty(fixture.Store.ReadEvents());
        Assert.Null(fixture.Store.ReadCheckpoint());
        Assert.False(fixture.Store.ContainsTransaction(transaction.Signature));
        Assert.Equal(StoreCounters.Empty, fixture.Store.Counters);
    }

    [Fact]
    public void Concurrent_callers_are_serialized_and_nothing_is_lost_or_doubled()
    {
        using var fixture = new StoreFixture();
        // Two writers racing over overlapping transactions: each signature must be stored exactly once.
        var transactions = Enumerable.Range(0, 400)
            .Select(n => Transaction(n, (ulong)(n / 4), (uint)(n % 4), BuySell(0, (ulong)n, (UInt128)n)))
            .ToArray();

        Parallel.For(0, 4, worker =>
        {
            for (int start = worker % 2; start < transactions.Length; start += 20)
            {
                var chunk = transactions.Skip(start).Take(20).ToArray();
                fixture.Store.Apply(chunk, CheckpointOf(chunk[^1]));
            }
        });

        Assert.Equal(400UL, fixture.Store.Counters.Transactions);
        Assert.Equal(400UL, fixture.Store.Counters.Events);
        Assert.Equal(400, fixture.Store.ReadEvents().Count());
    }

    [Fact]
    public void Calls_after_dispose_throw_and_a_second_dispose_is_harmless()
    {
        using var fixture = new StoreFixture();
        var store = fixture.Store;
        store.Dispose();

        Assert.Throws<ObjectDisposedException>(() => store.ReadCheckpoint());
        Assert.Throws<ObjectDisposedException>(() => store.ReadEvents());
        Assert.Throws<ObjectDisposedException>(() => store.Apply([], new Checkpoint(Signature(1), 1, 0)));
        store.Dispose();
    }

    /// <summary>Writes one row of its own (an event row at a fixed position, so that ReadEvents can see it).</summary>
    private class RecordingContributor(SpinPetStore store) : IStoreBatchContributor
    {
        public static readonly ChainPosition Position = new(999, 0, 0);

        public List<TxSignature> Seen { get; } = [];

        public virtual void Contribute(WriteBatch batch, IReadOnlyList<IngestedTransaction> stored)
        {
            Seen.AddRange(stored.Select(t => t.Signature));
            var key = new byte[Keys.PositionLength];
            Keys.WritePosition(key, Position);
            var value = new byte[Values.EventLength(8)];
            Values.WriteEvent(value, EventKind.MilestoneDiscount, 42, Signature(999), new byte[8]);
            batch.Put(key, value, store.GetColumnFamily(ColumnFamilyNames.Events));
        }
    }

    /// <summary>Stages its row, then fails: the staged row must not be written either.</summary>
    private sealed class ThrowingContributor(SpinPetStore store) : RecordingContributor(store)
    {
        public override void Contribute(WriteBatch batch, IReadOnlyList<IngestedTransaction> stored)
        {
            base.Contribute(batch, stored);
            throw new InvalidOperationException("candles failed");
        }
    }
}
