using SpinPet.Core.Chain;
using SpinPet.Core.Events;
using SpinPet.Core.Ingest;
using SpinPet.Indexer.Indexes;
using SpinPet.Storage;
using SpinPet.Storage.Tests;
using SpinPet.Storage.Tests.Derived;
using static SpinPet.Storage.Tests.Derived.DerivedChain;
using static SpinPet.Storage.Tests.TestChain;

namespace SpinPet.Indexer.Tests.Indexes;

/// <summary>The REST API's derived rows, written in the batch of the events they come from.</summary>
public sealed class IndexRowsTests
{
    private const int Mint = 1;
    private const int OtherMint = 2;
    private const int Alice = 10;
    private const int Bob = 11;
    private const int Liquidator = 12;

    [Fact]
    public void Two_events_of_one_kind_in_a_transaction_and_two_transactions_of_a_user_in_a_slot_are_all_indexed()
    {
        using var fixture = new StoreFixture();
        var chain = new DerivedChain();
        var first = chain.Tx(1, 50, 0, Trade(Mint, Alice, 5, 100), Trade(Mint, Alice, 6, 101));
        var second = chain.Tx(2, 50, 1, Trade(Mint, Alice, 7, 102));
        fixture.Store.Index([first, second], CheckpointOf(second));

        var byMint = fixture.Store.Indexes.ReadMintEvents(Key(Mint), newestFirst: false, after: null, skip: 0, limit: 10);
        var byUser = fixture.Store.Indexes.ReadUserEvents(Key(Alice), mint: null, newestFirst: true, after: null, skip: 0, limit: 10);

        Assert.Equal([new ChainPosition(50, 0, 0), new ChainPosition(50, 0, 1), new ChainPosition(50, 1, 0)], byMint.Items.Select(e => e.Position));
        Assert.Equal([new ChainPosition(50, 1, 0), new ChainPosition(50, 0, 1), new ChainPosition(50, 0, 0)], byUser.Items.Select(e => e.Position));
        Assert.False(byMint.HasMore);
        Assert.Equal(3UL, fixture.Store.Indexes.GetMint(Key(Mint))!.EventCount);
    }

    [Fact]
    public void Pages_follow_the_cursor_to_the_end_without_gaps_or_repeats()
    {
        using var fixture = new StoreFixture();
        var chain = new DerivedChain();
        var transactions = Enumerable.Range(0, 25).Select(i => chain.Tx(i + 1, (ulong)(100 + (i / 3)), (uint)(i % 3),
            Trade(i % 4 == 0 ? OtherMint : Mint, Alice, (ulong)i + 1, (UInt128)i + 1))).ToList();
        fixture.Store.Index(transactions, CheckpointOf(transactions[^1]));

        foreach (bool newestFirst in new[] { true, false })
        {
            var seen = new List<ChainPosition>();
            byte[]? cursor = null;
            do
            {
                var page = fixture.Store.Indexes.ReadMintEvents(Key(Mint), newestFirst, cursor, skip: 0, limit: 4);
                seen.AddRange(page.Items.Select(e => e.Position));
                cursor = page.Next;
                Assert.Equal(page.HasMore, cursor is not null);
            }
            while (cursor is not null);
            var want = transactions.Where((_, i) => i % 4 != 0).Select(t => t.PositionOf(0)).ToList();
            Assert.Equal(newestFirst ? Enumerable.Reverse(want) : want, seen);
        }

        // A user's events filtered by mint page the same way.
        var filtered = new List<ChainPosition>();
        byte[]? next = null;
        do
        {
            var page = fixture.Store.Indexes.ReadUserEvents(Key(Alice), Key(OtherMint), newestFirst: false, next, skip: 0, limit: 2);
            filtered.AddRange(page.Items.Select(e => e.Position));
            next = page.Next;
        }
        while (next is not null);
        Assert.Equal(transactions.Where((_, i) => i % 4 == 0).Select(t => t.PositionOf(0)), filtered);
    }

    [Fact]
    public void Events_belong_to_the_position_owner_spot_trades_and_discounts_to_the_payer()
    {
        using var fixture = new StoreFixture();
        var chain = new DerivedChain();
        var aliceLong = State(Mint, Alice, OrderState.Long, 1000, 1_700_000_000, 50);
        var bobShort = State(Mint, Bob, OrderState.Short, 2000, 1_700_000_001, 60);
        var transactions = new[]
        {
            chain.Tx(1, 10, 0, Created(Mint, Bob)),
            chain.Tx(2, 11, 0, Open(Mint, Liquidator, 501, aliceLong, 10)),   // paid by someone else, owned by Alice
            chain.Tx(3, 12, 0, Open(Mint, Bob, 502, bobShort, 11)),
            chain.Tx(4, 13, 0, Partial(Mint, Liquidator, 501, aliceLong with { MarginSolAmount = 25 }, 7, 12)),
            chain.Tx(5, 14, 0, Full(Mint, Liquidator, Alice, 501, 8, 13)),
            chain.Tx(6, 15, 0, Liquidate(Mint, Liquidator, 502)),             // Bob's order, liquidated by another payer
            chain.Tx(7, 16, 0, Trade(Mint, Liquidator, 3, 14), Milestone(Mint, Liquidator, 80, 250, 1)),
        };
        fixture.Store.Index(transactions, CheckpointOf(transactions[^1]));

        Assert.Equal([EventKind.LongShort, EventKind.PartialClose, EventKind.FullClose], UserKinds(fixture.Store, Alice));
        Assert.Equal([EventKind.LongShort, EventKind.ForceLiquidate], UserKinds(fixture.Store, Bob));
        Assert.Equal([EventKind.BuySell, EventKind.MilestoneDiscount], UserKinds(fixture.Store, Liquidator));
        Assert.Equal(8UL, fixture.Store.Indexes.GetMint(Key(Mint))!.EventCount);
    }

    [Fact]
    public void Orders_open_update_and_close_with_their_indexes_in_price_and_time_order()
    {
        using var fixture = new StoreFixture();
        var chain = new DerivedChain();
        var longs = new[] { (Pda: 601, Price: 500), (Pda: 602, Price: 900), (Pda: 603, Price: 700) };
        var shorts = new[] { (Pda: 611, Price: 1500), (Pda: 612, Price: 1100), (Pda: 613, Price: 1300) };
        var opened = new List<IngestedTransaction>();
        int n = 1;
        foreach (var (pda, price) in longs)
        {
            opened.Add(chain.Tx(n, (ulong)(20 + n), 0, Open(Mint, Alice, pda, State(Mint, Alice, OrderState.Long, (UInt128)price, (uint)(1000 + n), 10), 1)));
            n++;
        }
        foreach (var (pda, price) in shorts)
        {
            opened.Add(chain.Tx(n, (ulong)(20 + n), 0, Open(Mint, Bob, pda, State(Mint, Bob, OrderState.Short, (UInt128)price, (uint)(1000 + n), 10), 1)));
            n++;
        }
        fixture.Store.Index(opened, CheckpointOf(opened[^1]));

        Assert.Equal(new[] { 612, 613, 611 }.Select(Key), MintOrders(fixture.Store, OrderState.Short, descending: false));
        Assert.Equal(new[] { 602, 603, 601 }.Select(Key), MintOrders(fixture.Store, OrderState.Long, descending: true));
        Assert.Equal(3U, fixture.Store.Indexes.GetMint(Key(Mint))!.OpenLongOrders);
        Assert.Equal(3U, fixture.Store.Indexes.GetMint(Key(Mint))!.OpenShortOrders);

        // A partial close moves 603 to the top of the longs; a full close and a liquidation remove 601 and 612.
        var moved = State(Mint, Alice, OrderState.Long, 950, 1003, 5);
        var changes = new[]
        {
            chain.Tx(50, 40, 0, Partial(Mint, Alice, 603, moved, 1, 2)),
            chain.Tx(51, 41, 0, Full(Mint, Alice, Alice, 601, 1, 2)),
            chain.Tx(52, 42, 0, Liquidate(Mint, Liquidator, 612)),
        };
        fixture.Store.Index(changes, CheckpointOf(changes[^1]));

        Assert.Equal(new[] { 603, 602 }.Select(Key), MintOrders(fixture.Store, OrderState.Long, descending: true));
        Assert.Equal(new[] { 611, 613 }.Select(Key), MintOrders(fixture.Store, OrderState.Short, descending: true));
        Assert.Equal(moved, fixture.Store.Indexes.GetOrder(Key(603))!.State);
        Assert.Equal(changes[0].Signature, fixture.Store.Indexes.GetOrder(Key(603))!.UpdatedSignature);
        Assert.Equal(opened[2].Signature, fixture.Store.Indexes.GetOrder(Key(603))!.OpenedSignature);
        Assert.Null(fixture.Store.Indexes.GetOrder(Key(601)));
        Assert.Null(fixture.Store.Indexes.GetOrder(Key(612)));
        Assert.Equal(2U, fixture.Store.Indexes.GetMint(Key(Mint))!.OpenLongOrders);
        Assert.Equal(2U, fixture.Store.Indexes.GetMint(Key(Mint))!.OpenShortOrders);

        // By user, newest start time first; the start time of 603 is now 1003 (from the partial close).
        var alice = fixture.Store.Indexes.ReadUserOrders(Key(Alice), null, newestFirst: true, null, 0, 10).Items.Select(o => o.OrderPda);
        Assert.Equal(new[] { 603, 602 }.Select(Key), alice);
        Assert.Equal(2, fixture.Store.Indexes.CountUserOrders(Key(Alice), null));
        Assert.Equal(0, fixture.Store.Indexes.CountUserOrders(Key(Alice), Key(OtherMint)));
        Assert.Equal(2, fixture.Store.ReadRawRows(ColumnFamilyNames.UserOrders).Count(r => new PublicKey(r.Key.AsSpan(0, 32)) == Key(Alice)));
    }

    [Fact]
    public void Mint_details_follow_chain_order_even_when_a_transaction_arrives_late()
    {
        using var fixture = new StoreFixture();
        var chain = new DerivedChain();
        var early = new[]
        {
            chain.Tx(1, 100, 0, Created(Mint, Alice, 100, 300, 0), Trade(Mint, Alice, 1_000, 50)),
            chain.Tx(2, 101, 0, Trade(Mint, Bob, 2_000, 60, buy: false), Milestone(Mint, Bob, 80, 250, 1)),
            chain.Tx(3, 102, 0, Open(Mint, Bob, 700, State(Mint, Bob, OrderState.Long, 5, 1, 40), 70)),
            chain.Tx(4, 103, 0, Partial(Mint, Bob, 700, State(Mint, Bob, OrderState.Long, 5, 1, 20), 9, 65)),
            chain.Tx(5, 104, 0, Liquidate(Mint, Alice, 700)),
        };
        fixture.Store.Index(early, CheckpointOf(early[^1]));
        // Late: an older slot's trade and fee change must not replace the newer price or fees, but it moves "first seen".
        var late = chain.Tx(6, 99, 0, Trade(Mint, Alice, 500, 1), Milestone(Mint, Alice, 1, 1, 9));
        fixture.Store.Index([late], CheckpointOf(early[^1]));

        var m = fixture.Store.Indexes.GetMint(Key(Mint))!;
        Assert.Equal((UInt128)65, m.LatestPrice);
        Assert.Equal(new ChainPosition(103, 0, 0), m.LatestPricePosition);
        Assert.Equal(BlockTime(103), m.LatestTradeTime);
        Assert.Equal((UInt128)3_500, m.TotalSolAmount);
        Assert.Equal((UInt128)40, m.TotalMarginSolAmount);
        Assert.Equal((UInt128)9, m.TotalCloseProfit);
        Assert.Equal(1UL, m.TotalForceLiquidations);
        Assert.Equal((80, 250, (byte)1), (m.SwapFee, m.BorrowFee, m.FeeDiscountFlag));
        Assert.Equal(new ChainPosition(100, 0, 0), m.CreatedPosition);
        Assert.Equal(new ChainPosition(99, 0, 0), m.FirstPosition);
        Assert.Equal(new ChainPosition(104, 0, 0), m.LatestPosition);
        Assert.Equal(0U, m.OpenLongOrders);
        Assert.Equal(9UL, m.EventCount);
        Assert.Equal(1, fixture.Store.Indexes.MintCount);
        Assert.Single(fixture.Store.ReadRawRows(ColumnFamilyNames.MintsByFirst));
    }

    [Fact]
    public void Mints_are_listed_by_first_appearance_and_by_latest_activity()
    {
        using var fixture = new StoreFixture();
        var chain = new DerivedChain();
        var transactions = new[]
        {
            chain.Tx(1, 10, 0, Trade(1, Alice, 1, 1)),
            chain.Tx(2, 11, 0, Created(2, Alice)),
            chain.Tx(3, 12, 0, Trade(3, Alice, 1, 1)),
            chain.Tx(4, 13, 0, Trade(1, Alice, 1, 1)),
        };
        fixture.Store.Index(transactions, CheckpointOf(transactions[^1]));

        Assert.Equal(new[] { 3, 2, 1 }.Select(Key), fixture.Store.Indexes.ReadMints(MintOrder.FirstSeenNewestFirst, null, 0, 10).Items.Select(m => m.Mint));
        Assert.Equal(new[] { 1, 2, 3 }.Select(Key), fixture.Store.Indexes.ReadMints(MintOrder.FirstSeenOldestFirst, null, 0, 10).Items.Select(m => m.Mint));
        Assert.Equal(new[] { 1, 3, 2 }.Select(Key), fixture.Store.Indexes.ReadMints(MintOrder.ActivityNewestFirst, null, 0, 10).Items.Select(m => m.Mint));
        var firstPage = fixture.Store.Indexes.ReadMints(MintOrder.ActivityNewestFirst, null, 0, 2);
        Assert.True(firstPage.HasMore);
        Assert.Equal([Key(2)], fixture.Store.Indexes.ReadMints(MintOrder.ActivityNewestFirst, firstPage.Next, 0, 2).Items.Select(m => m.Mint));
        Assert.Equal(3, fixture.Store.Indexes.MintCount);
    }

    [Fact]
    public void Applying_the_same_transactions_again_changes_no_derived_row()
    {
        using var fixture = new StoreFixture();
        var chain = new DerivedChain();
        var transactions = Mixed(chain);
        fixture.Store.Index(transactions, CheckpointOf(transactions[^1]));
        var before = Snapshot(fixture.Store);

        var result = fixture.Store.Index(transactions, CheckpointOf(transactions[^1]));
        Assert.Equal(transactions.Count, result.Duplicates);
        Assert.Equal(before, Snapshot(fixture.Store));

        // After a reopen, too: the in-memory mint rows are loaded back from their stored form.
        var store = fixture.Reopen();
        store.Index(transactions, CheckpointOf(transactions[^1]));
        Assert.Equal(before, Snapshot(store));
        Assert.False(store.Indexes.NeedsRebuild);
    }

    [Fact]
    public void A_rebuild_from_the_event_log_reproduces_every_derived_row()
    {
        using var fixture = new StoreFixture();
        var chain = new DerivedChain();
        var transactions = Mixed(chain);
        // In three calls, as the ingest would: the rebuild replays all of them in one pass.
        fixture.Store.Index(transactions[..3], CheckpointOf(transactions[2]));
        fixture.Store.Index(transactions[3..6], CheckpointOf(transactions[5]));
        fixture.Store.Index(transactions[6..], CheckpointOf(transactions[^1]));
        var live = Snapshot(fixture.Store);

        long replayed = IndexRebuild.Run(fixture.Store, chain.Decoder);

        Assert.Equal(transactions.Sum(t => t.Events.Count), replayed);
        Assert.Equal(live, Snapshot(fixture.Store));
        Assert.Equal(live, Snapshot(fixture.Reopen()));
    }

    [Fact]
    public void A_database_written_before_derived_rows_existed_asks_for_a_rebuild_and_gets_them_all()
    {
        using var fixture = new StoreFixture();
        var chain = new DerivedChain();
        var transactions = Mixed(chain);
        fixture.Store.Index(transactions, CheckpointOf(transactions[^1]));
        var live = Snapshot(fixture.Store);
        Assert.False(fixture.Store.Indexes.NeedsRebuild);
        fixture.Store.Dispose();

        // What an older version left: the events, no derived rows and no marker.
        var (options, families) = StoreOptions.Create(fixture.Path);
        using (var db = RocksDbSharp.RocksDb.Open(options, fixture.Path, families))
        {
            db.Remove("derived_rows"u8.ToArray(), db.GetColumnFamily(ColumnFamilyNames.Meta));
            foreach (var family in ColumnFamilyNames.Derived)
            {
                var end = Enumerable.Repeat((byte)0xFF, 100).ToArray();
                using var batch = new RocksDbSharp.WriteBatch();
                batch.DeleteRange([0], 1, end, (ulong)end.Length, db.GetColumnFamily(family));
                db.Write(batch);
            }
        }

        var store = fixture.Reopen();
        Assert.True(store.Indexes.NeedsRebuild);
        Assert.Equal(0, store.Indexes.MintCount);
        IndexRebuild.Run(store, chain.Decoder);
        Assert.False(store.Indexes.NeedsRebuild);
        Assert.Equal(live, Snapshot(store));
        Assert.False(fixture.Reopen().Indexes.NeedsRebuild);
    }

    [Fact]
    public void A_users_event_count_equals_the_length_of_their_list_in_total_and_per_mint()
    {
        using var fixture = new StoreFixture();
        var chain = new DerivedChain();
        var transactions = Mixed(chain);
        // Several batches: a count carried over from a stored row must keep growing.
        fixture.Store.Index(transactions[..2], CheckpointOf(transactions[1]));
        fixture.Store.Index(transactions[2..5], CheckpointOf(transactions[4]));
        fixture.Store.Index(transactions[5..], CheckpointOf(transactions[^1]));
        fixture.Store.Index(transactions, CheckpointOf(transactions[^1]));   // all duplicates: nothing counted twice

        foreach (var user in new[] { Alice, Bob, Liquidator, 99 })
        {
            var all = fixture.Store.Indexes.ReadUserEvents(Key(user), null, newestFirst: false, null, 0, 1000).Items;
            Assert.Equal((ulong)all.Count, fixture.Store.Indexes.CountUserEvents(Key(user), null));
            foreach (var mint in new[] { Mint, OtherMint, 77 })
            {
                var inMint = fixture.Store.Indexes.ReadUserEvents(Key(user), Key(mint), newestFirst: false, null, 0, 1000).Items;
                Assert.Equal((ulong)inMint.Count, fixture.Store.Indexes.CountUserEvents(Key(user), Key(mint)));
            }
        }
        Assert.Equal(6UL, fixture.Store.Indexes.CountUserEvents(Key(Bob), null));
        Assert.Equal(0UL, fixture.Store.Indexes.CountUserEvents(Key(99), null));
    }

    [Fact]
    public void A_database_with_version_1_derived_rows_is_rebuilt_and_gets_user_event_counts()
    {
        using var fixture = new StoreFixture();
        var chain = new DerivedChain();
        var transactions = Mixed(chain);
        fixture.Store.Index(transactions, CheckpointOf(transactions[^1]));
        var live = Snapshot(fixture.Store);
        fixture.Store.Dispose();

        // What the version before user_event_counts left: every other derived row, marker version 1.
        var (options, families) = StoreOptions.Create(fixture.Path);
        using (var db = RocksDbSharp.RocksDb.Open(options, fixture.Path, families))
        {
            db.Put("derived_rows"u8.ToArray(), new byte[] { 1 }, db.GetColumnFamily(ColumnFamilyNames.Meta));
            var end = Enumerable.Repeat((byte)0xFF, 100).ToArray();
            using var batch = new RocksDbSharp.WriteBatch();
            batch.DeleteRange([0], 1, end, (ulong)end.Length, db.GetColumnFamily(ColumnFamilyNames.UserEventCounts));
            db.Write(batch);
        }

        var store = fixture.Reopen();
        Assert.True(store.Indexes.NeedsRebuild);
        IndexRebuild.Run(store, chain.Decoder);
        Assert.Equal(live, Snapshot(store));
        Assert.Equal(6UL, store.Indexes.CountUserEvents(Key(Bob), null));
        Assert.False(fixture.Reopen().Indexes.NeedsRebuild);
    }

    [Fact]
    public void A_mints_events_after_a_seq_are_listed_in_the_order_applied_also_after_a_version_2_database_is_rebuilt()
    {
        using var fixture = new StoreFixture();
        var chain = new DerivedChain();
        var transactions = Mixed(chain);
        fixture.Store.Index(transactions[..3], CheckpointOf(transactions[2]));
        long afterFirst = fixture.Store.Meta.Position.Seq;
        // A late transaction of an earlier slot (a backfill) is applied after later ones: listed where it was applied.
        fixture.Store.Index([transactions[6], transactions[7]], CheckpointOf(transactions[7]));
        fixture.Store.Index(transactions[3..6], CheckpointOf(transactions[5]));
        var expected = fixture.Store.Events.ReadEvents()
            .Where(e => e.Seq > afterFirst && chain.Decoder(e.Payload)!.MintAccount == Key(Mint))
            .OrderBy(e => e.Seq).ThenBy(e => e.Position).Select(e => (e.Position, e.Seq)).ToList();
        Assert.True(expected.Count >= 4);
        Assert.NotEqual(expected.OrderBy(e => e.Position).ToList(), expected);

        var (events, complete) = fixture.Store.Indexes.ReadMintEventsAfter(Key(Mint), afterFirst, 100);
        Assert.True(complete);
        Assert.Equal(expected, events.Select(e => (e.Position, e.Seq)));
        var (cut, cutComplete) = fixture.Store.Indexes.ReadMintEventsAfter(Key(Mint), afterFirst, expected.Count - 1);
        Assert.False(cutComplete);
        Assert.Equal(expected[..^1], cut.Select(e => (e.Position, e.Seq)));
        Assert.Empty(fixture.Store.Indexes.ReadMintEventsAfter(Key(Mint), fixture.Store.Meta.Position.Seq, 100).Events);
        fixture.Store.Dispose();

        // What the version before mint_event_seqs left: every other derived row, marker version 2.
        var (options, families) = StoreOptions.Create(fixture.Path);
        using (var db = RocksDbSharp.RocksDb.Open(options, fixture.Path, families))
        {
            db.Put("derived_rows"u8.ToArray(), new byte[] { 2 }, db.GetColumnFamily(ColumnFamilyNames.Meta));
            var end = Enumerable.Repeat((byte)0xFF, 100).ToArray();
            using var batch = new RocksDbSharp.WriteBatch();
            batch.DeleteRange([0], 1, end, (ulong)end.Length, db.GetColumnFamily(ColumnFamilyNames.MintEventSeqs));
            db.Write(batch);
        }
        var store = fixture.Reopen();
        Assert.True(store.Indexes.NeedsRebuild);
        IndexRebuild.Run(store, chain.Decoder);
        Assert.Equal(expected, store.Indexes.ReadMintEventsAfter(Key(Mint), afterFirst, 100).Events.Select(e => (e.Position, e.Seq)));
    }

    [Fact]
    public void A_failed_write_publishes_no_mint_row()
    {
        using var fixture = new StoreFixture();
        var chain = new DerivedChain();
        var good = chain.Tx(1, 10, 0, Trade(Mint, Alice, 1, 1));
        // The rows are staged, then the write ends without a commit (a throw later in the batch).
        using (var write = fixture.Store.BeginWrite(fixture.Store.Meta.Position.Next()))
        {
            var staged = fixture.Store.Events.Stage(write, [good]);
            new IndexRowsWriter(fixture.Store.Indexes).Stage(write, staged.Stored);
        }

        Assert.Null(fixture.Store.Indexes.GetMint(Key(Mint)));
        Assert.Equal(0, fixture.Store.Indexes.MintCount);
        Assert.Empty(fixture.Store.ReadRawRows(ColumnFamilyNames.MintEvents));
    }

    private static List<IngestedTransaction> Mixed(DerivedChain chain) =>
    [
        chain.Tx(1, 10, 0, Created(Mint, Alice), Trade(Mint, Alice, 5, 10)),
        chain.Tx(2, 10, 1, Open(Mint, Bob, 801, State(Mint, Bob, OrderState.Long, 9, 100, 7), 11)),
        chain.Tx(3, 11, 0, Open(Mint, Alice, 802, State(Mint, Alice, OrderState.Short, 19, 101, 8), 12), Trade(OtherMint, Bob, 3, 4)),
        chain.Tx(4, 12, 0, Partial(Mint, Bob, 801, State(Mint, Bob, OrderState.Long, 8, 100, 3), 2, 13)),
        chain.Tx(5, 12, 1, Trade(Mint, Bob, 5, 14, buy: false), Milestone(Mint, Bob, 70, 200, 1)),
        chain.Tx(6, 13, 0, Open(OtherMint, Alice, 803, State(OtherMint, Alice, OrderState.Long, 3, 102, 9), 5)),
        chain.Tx(7, 14, 0, Full(Mint, Bob, Bob, 801, 4, 15), Liquidate(Mint, Liquidator, 802)),
        chain.Tx(8, 15, 0, Created(OtherMint, Bob), Trade(OtherMint, Alice, 6, 6)),
    ];

    private static List<EventKind> UserKinds(SpinPetStore store, int user) =>
        [.. store.Indexes.ReadUserEvents(Key(user), null, newestFirst: false, null, 0, 100).Items.Select(e => e.Kind)];

    private static List<PublicKey> MintOrders(SpinPetStore store, byte type, bool descending) =>
        [.. store.Indexes.ReadMintOrders(Key(Mint), type, descending, null, 0, 100).Items.Select(o => o.OrderPda)];

    /// <summary>Every derived row, byte for byte, as one comparable string.</summary>
    private static string Snapshot(SpinPetStore store) =>
        string.Join('\n', ColumnFamilyNames.Derived.SelectMany(family =>
            store.ReadRawRows(family).Select(r => $"{family} {Convert.ToHexString(r.Key)} {Convert.ToHexString(r.Value)}")));
}
