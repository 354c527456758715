using SpinPet.Core.Chain;
using SpinPet.Core.Ingest;
using static SpinPet.Storage.Tests.TestChain;

namespace SpinPet.Storage.Tests;

public sealed class ReadTests
{
    /// <summary>
    /// Positions whose little-endian bytes would sort differently from their numbers: slot 256 vs 1, txIndex 300 vs
    /// 2, eventIndex 256 vs 1, and a slot above 2^32.
    /// </summary>
    private static readonly IngestedTransaction[] OutOfOrder =
    [
        Transaction(1, slot: 256, txIndex: 0, BuySell(0, 1, 1)),
        Transaction(2, slot: 1, txIndex: 300, BuySell(1, 2, 2), BuySell(256, 3, 3)),
        Transaction(3, slot: 1, txIndex: 2, ForceLiquidate(0)),
        Transaction(4, slot: 5_000_000_000, txIndex: 0, BuySell(0, 4, 4)),
        Transaction(5, slot: 256, txIndex: 256, BuySell(0, 5, 5)),
        Transaction(6, slot: 0, txIndex: 0, BuySell(0, 6, 6)),
    ];

    private static readonly ChainPosition[] ChainOrder =
    [
        new(0, 0, 0),
        new(1, 2, 0),
        new(1, 300, 1),
        new(1, 300, 256),
        new(256, 0, 0),
        new(256, 256, 0),
        new(5_000_000_000, 0, 0),
    ];

    [Fact]
    public void Events_come_back_in_chain_order_when_applied_out_of_order_across_batches()
    {
        using var fixture = new StoreFixture();

        // One call per transaction, in the scrambled order above.
        foreach (var transaction in OutOfOrder)
        {
            fixture.Store.Apply([transaction], CheckpointOf(transaction));
        }

        Assert.Equal(ChainOrder, fixture.Store.Events.ReadEvents().Select(e => e.Position));
        Assert.Equal(ChainOrder.Reverse(), fixture.Store.Events.ReadEventsNewestFirst().Select(e => e.Position));
    }

    [Fact]
    public void Forward_reads_start_after_the_given_position_and_stop_at_the_limit()
    {
        using var fixture = ApplyOutOfOrder();
        var store = fixture.Store;

        Assert.Equal(ChainOrder[3..], store.Events.ReadEvents(after: ChainOrder[2]).Select(e => e.Position));
        Assert.Equal(ChainOrder[3..5], store.Events.ReadEvents(after: ChainOrder[2], limit: 2).Select(e => e.Position));
        // A position with no row: the read starts at the next one that exists.
        Assert.Equal(ChainOrder[4..], store.Events.ReadEvents(after: new ChainPosition(1, 301, 0)).Select(e => e.Position));
        Assert.Empty(store.Events.ReadEvents(after: ChainOrder[^1]));
        Assert.Empty(store.Events.ReadEvents(limit: 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => store.Events.ReadEvents(limit: -1));
    }

    [Fact]
    public void Newest_first_reads_start_before_the_given_position_and_stop_at_the_limit()
    {
        using var fixture = ApplyOutOfOrder();
        var store = fixture.Store;

        Assert.Equal([ChainOrder[^1], ChainOrder[^2]], store.Events.ReadEventsNewestFirst(limit: 2).Select(e => e.Position));
        Assert.Equal([ChainOrder[3], ChainOrder[2]], store.Events.ReadEventsNewestFirst(before: ChainOrder[4], limit: 2).Select(e => e.Position));
        Assert.Equal(ChainOrder[..4].Reverse(), store.Events.ReadEventsNewestFirst(before: new ChainPosition(2, 0, 0)).Select(e => e.Position));
        Assert.Empty(store.Events.ReadEventsNewestFirst(before: ChainOrder[0]));
    }

    [Fact]
    public void Paging_forward_by_the_last_position_visits_every_event_once()
    {
        using var fixture = ApplyOutOfOrder();
        var seen = new List<ChainPosition>();
        ChainPosition? after = null;

        while (true)
        {
            var page = fixture.Store.Events.ReadEvents(after, limit: 3).ToList();
            if (page.Count == 0)
            {
                break;
            }
            seen.AddRange(page.Select(e => e.Position));
            after = page[^1].Position;
        }

        Assert.Equal(ChainOrder, seen);
    }

    [Fact]
    public void An_empty_store_reads_nothing()
    {
        using var fixture = new StoreFixture();

        Assert.Empty(fixture.Store.Events.ReadEvents());
        Assert.Empty(fixture.Store.Events.ReadEventsNewestFirst());
        Assert.Empty(fixture.Store.Events.ReadRejected());
        Assert.Null(fixture.Store.Events.LastTxIndexInSlot(0));
        Assert.Null(fixture.Store.Meta.ReadCheckpoint());
        Assert.Equal(StoreCounters.Empty, fixture.Store.Meta.Counters);
    }

    [Fact]
    public void LastTxIndexInSlot_finds_the_greatest_index_with_rows_in_that_slot_only()
    {
        using var fixture = new StoreFixture();
        List<IngestedTransaction> batch =
        [
            Transaction(1, 5, 9, BuySell(0, 1, 1)),
            Transaction(2, 6, 0, BuySell(0, 1, 1)),
            Transaction(3, 6, 300, BuySell(0, 1, 1), BuySell(65_535, 1, 1)),
            Transaction(4, 6, 3, BuySell(0, 1, 1)),
            // Only a rejected payload: its keys must not be reused either.
            WithRejected(5, 8, 7, [], Rejected(0, "unknown layout")),
            Transaction(6, 8, 2, BuySell(0, 1, 1)),
            // Failed: no rows, so nothing to collide with.
            Failed(7, 9, 4),
            Transaction(8, 10, 1, BuySell(0, 1, 1)),
        ];
        fixture.Store.Apply(batch, CheckpointOf(batch[^1]));

        Assert.Equal(9u, fixture.Store.Events.LastTxIndexInSlot(5));
        Assert.Equal(300u, fixture.Store.Events.LastTxIndexInSlot(6));
        Assert.Null(fixture.Store.Events.LastTxIndexInSlot(7));
        Assert.Equal(7u, fixture.Store.Events.LastTxIndexInSlot(8));
        Assert.Null(fixture.Store.Events.LastTxIndexInSlot(9));
        Assert.Equal(1u, fixture.Store.Events.LastTxIndexInSlot(10));
        Assert.Null(fixture.Store.Events.LastTxIndexInSlot(11));
        Assert.Null(fixture.Store.Events.LastTxIndexInSlot(4));
    }

    [Fact]
    public void Rejected_payloads_round_trip_with_reason_signature_and_position()
    {
        using var fixture = new StoreFixture();
        var shortBody = Rejected(1, "MilestoneDiscountEvent body is 99 bytes, the layout needs 101", length: 107);
        var unicode = Rejected(3, "invalid UTF-8 in name — “ünïcødé” 🐾", length: 12);
        var transaction = WithRejected(1, 42, 6, [BuySell(0, 1, 1), BuySell(2, 1, 1)], shortBody, unicode);

        var result = fixture.Store.Apply([transaction], CheckpointOf(transaction));

        Assert.Equal(2, result.RejectedWritten);
        var stored = fixture.Store.Events.ReadRejected().ToList();
        Assert.Equal(2, stored.Count);
        Assert.Equal(new ChainPosition(42, 6, 1), stored[0].Position);
        Assert.Equal(new ChainPosition(42, 6, 3), stored[1].Position);
        Assert.All(stored, r => Assert.Equal(transaction.Signature, r.Signature));
        Assert.All(stored, r => Assert.Equal(transaction.BlockTime, r.BlockTime));
        Assert.Equal(shortBody.Reason, stored[0].Reason);
        Assert.Equal(unicode.Reason, stored[1].Reason);
        Assert.Equal(shortBody.Payload.ToArray(), stored[0].Payload.ToArray());
        Assert.Equal(unicode.Payload.ToArray(), stored[1].Payload.ToArray());
        Assert.Equal(2UL, fixture.Store.Meta.Counters.RejectedPayloads);
        Assert.Equal([stored[1].Position], fixture.Store.Events.ReadRejected(after: stored[0].Position).Select(r => r.Position));
    }

    [Fact]
    public void A_very_long_reason_is_cut_without_splitting_a_character()
    {
        using var fixture = new StoreFixture();
        // 1,023 ASCII chars then a surrogate pair straddling the 1,024-char cut.
        string reason = new string('x', Values.MaxReasonChars - 1) + "🐾" + new string('y', 5_000);
        var transaction = WithRejected(1, 1, 0, [], new RejectedPayload(0, reason, new byte[] { 1, 2, 3 }));

        fixture.Store.Apply([transaction], CheckpointOf(transaction));

        var stored = Assert.Single(fixture.Store.Events.ReadRejected());
        Assert.Equal(reason[..(Values.MaxReasonChars - 1)], stored.Reason);
        Assert.Equal(new byte[] { 1, 2, 3 }, stored.Payload.ToArray());
    }

    [Fact]
    public void Stopping_an_enumeration_early_releases_its_iterator()
    {
        using var fixture = ApplyOutOfOrder();

        foreach (var _ in fixture.Store.Events.ReadEvents())
        {
            break;
        }
        Assert.Equal(ChainOrder[0], fixture.Store.Events.ReadEventsNewestFirst().Last().Position);
        using (var enumerator = fixture.Store.Events.ReadRejected().GetEnumerator())
        {
            enumerator.MoveNext();
        }

        // Dispose waits for open reads and throws if one never ends; reopening proves RocksDB's lock was released.
        var store = fixture.Reopen();
        Assert.Equal(ChainOrder.Length, store.Events.ReadEvents().Count());
    }

    [Fact]
    public void An_enumeration_taken_before_dispose_fails_cleanly_when_started_after_it()
    {
        using var fixture = ApplyOutOfOrder();
        var events = fixture.Store.Events.ReadEvents();
        fixture.Store.Dispose();

        Assert.Throws<ObjectDisposedException>(() => events.First());
    }

    private static StoreFixture ApplyOutOfOrder()
    {
        var fixture = new StoreFixture();
        foreach (var transaction in OutOfOrder)
        {
            fixture.Store.Apply([transaction], CheckpointOf(transaction));
        }
        return fixture;
    }
}
