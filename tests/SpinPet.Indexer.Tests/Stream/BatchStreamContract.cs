using SpinPet.Core.Candles;
using SpinPet.Core.Chain;
using SpinPet.Core.Ingest;
using SpinPet.Core.Stream;
using SpinPet.Storage.Tests;
using SpinPet.TestSupport;
using static SpinPet.Storage.Tests.TestChain;

namespace SpinPet.Indexer.Tests.Stream;

/// <summary>
/// The contract of <see cref="IBatchStream"/> (its summary states it), as tests that any implementation runs unchanged:
/// derive, implement <see cref="OpenAsync"/>, and every test here runs against it. What is checked is what a node
/// stores, through the store's public reads, never how the implementation gets there.
/// </summary>
public abstract class BatchStreamContract
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    /// <summary>Opens (or reopens, on the same folder) a node of the implementation under test.</summary>
    protected abstract Task<IStreamUnderTest> OpenAsync(string folder);

    [Fact]
    public async Task Batches_are_applied_in_the_order_appended_at_strictly_increasing_seqs_of_one_epoch()
    {
        using var folder = new TempFolder();
        await using var node = await OpenAsync(folder.Path);
        var start = node.Stream.Position;
        var positions = new List<StreamPosition>();
        for (int i = 0; i < 5; i++)
        {
            var transaction = Trade(i + 1, slot: (ulong)(10 + i), time: 1_000 + i);
            positions.Add(await AppendAsync(node, StreamBatch.Of([transaction], CheckpointOf(transaction))));
        }

        Assert.All(positions, p => Assert.Equal(start.Epoch, p.Epoch));
        Assert.True(positions[0].Seq > start.Seq);
        Assert.Equal(positions.OrderBy(p => p.Seq), positions);
        Assert.Equal(5, positions.Select(p => p.Seq).Distinct().Count());
        Assert.Equal(positions[^1], node.Stream.Position);
        Assert.Equal(positions[^1], node.Store.Meta.Position);
        // Each batch's events carry its seq: the stream's order is the store's.
        Assert.Equal(positions.Select(p => p.Seq), node.Store.Events.ReadEvents().Select(e => e.Seq));
        Assert.Equal(CheckpointOf(Trade(5, 14, 1_004)), node.Store.Meta.ReadCheckpoint());
    }

    [Fact]
    public async Task Re_appending_the_batch_last_appended_returns_its_position_and_applies_nothing()
    {
        using var folder = new TempFolder();
        await using var node = await OpenAsync(folder.Path);
        var transaction = Trade(1, slot: 10, time: 1_000);
        var batch = StreamBatch.Of([transaction], CheckpointOf(transaction));

        var first = await AppendAsync(node, batch);
        var counters = node.Store.Meta.Counters;
        var again = await AppendAsync(node, batch);

        Assert.Equal(first, again);
        Assert.Equal(first, node.Stream.Position);
        Assert.Equal(counters, node.Store.Meta.Counters);
        Assert.Single(node.Store.Events.ReadEvents());
    }

    [Fact]
    public async Task Transactions_appended_again_in_a_new_batch_change_no_stored_data()
    {
        using var folder = new TempFolder();
        await using var node = await OpenAsync(folder.Path);
        var transactions = new[] { Trade(1, slot: 10, time: 1_000), Trade(2, slot: 11, time: 1_001) };
        var first = await AppendAsync(node, StreamBatch.Of(transactions, CheckpointOf(transactions[^1])));
        var events = Describe(node);
        var candles = Candles(node);
        var counters = node.Store.Meta.Counters;

        var second = await AppendAsync(node, StreamBatch.Of(transactions, CheckpointOf(transactions[^1])));

        Assert.True(second.Seq >= first.Seq);
        Assert.Equal(counters, node.Store.Meta.Counters);
        Assert.Equal(events, Describe(node));
        Assert.Equal(candles, Candles(node));
        Assert.Equal(2, node.Store.Candles.CountCandles(Key(1), Interval.S1));
    }

    [Fact]
    public async Task A_refused_batch_stores_neither_its_rows_nor_its_position_and_the_next_batch_follows_on()
    {
        using var folder = new TempFolder();
        await using var node = await OpenAsync(folder.Path);
        var good = Trade(1, slot: 10, time: 1_000);
        var before = await AppendAsync(node, StreamBatch.Of([good], CheckpointOf(good)));
        // A repeated event index would overwrite a row: the whole batch is refused.
        var bad = new IngestedTransaction(Signature(2), 11, 0, 1_001, Failed: false, [BuySell(0, 1, 1), BuySell(0, 2, 2)], []);

        await Assert.ThrowsAnyAsync<ArgumentException>(async () => await node.Stream.AppendAsync(StreamBatch.Of([bad], CheckpointOf(bad)), TestContext.Current.CancellationToken));

        Assert.Equal(before, node.Store.Meta.Position);
        Assert.Equal(before, node.Stream.Position);
        Assert.False(node.Store.Events.ContainsTransaction(bad.Signature));
        Assert.Equal(CheckpointOf(good), node.Store.Meta.ReadCheckpoint());
        var next = Trade(3, slot: 12, time: 1_002);
        var after = await AppendAsync(node, StreamBatch.Of([next], CheckpointOf(next)));
        Assert.Equal(before.Epoch, after.Epoch);
        Assert.True(after.Seq > before.Seq);
        Assert.Equal([before.Seq, after.Seq], node.Store.Events.ReadEvents().Select(e => e.Seq));
    }

    [Fact]
    public async Task A_restart_keeps_the_epoch_and_continues_the_numbering()
    {
        using var folder = new TempFolder();
        StreamPosition last;
        var store = Path.Combine(folder.Path, "node");
        await using (var node = await OpenAsync(store))
        {
            for (int i = 0; i < 3; i++)
            {
                var transaction = Trade(i + 1, slot: (ulong)(10 + i), time: 1_000 + i);
                await AppendAsync(node, StreamBatch.Of([transaction], CheckpointOf(transaction)));
            }
            last = node.Stream.Position;
        }

        await using var restarted = await OpenAsync(store);
        Assert.Equal(last, restarted.Stream.Position);
        Assert.Equal(last, restarted.Store.Meta.Position);
        var next = Trade(9, slot: 20, time: 1_010);
        var position = await AppendAsync(restarted, StreamBatch.Of([next], CheckpointOf(next)));
        Assert.Equal(last.Epoch, position.Epoch);
        Assert.True(position.Seq > last.Seq);
        Assert.Equal(4, restarted.Store.Events.ReadEvents().Count());
    }

    [Fact]
    public async Task A_finalizing_clock_makes_the_candles_that_ended_by_it_final_at_its_own_position()
    {
        using var folder = new TempFolder();
        await using var node = await OpenAsync(folder.Path);
        var trade = Trade(1, slot: 10, time: 1_000);
        var traded = await AppendAsync(node, StreamBatch.Of([trade], CheckpointOf(trade)));

        // 1001 is the end of the s1 bucket of second 1000, not of its s30 (1020) or m5 (1200) bucket.
        var finalized = await AppendAsync(node, StreamBatch.FinalizeAt(1_001));

        Assert.True(finalized.Seq > traded.Seq);
        var s1 = Assert.Single(node.Store.Candles.ReadChangedSince(Key(1), Interval.S1, traded.Seq, 10).Candles);
        Assert.True(s1.Candle.IsFinal);
        Assert.Equal(finalized.Seq, s1.UpdatedSeq);
        var s30 = Assert.Single(node.Store.Candles.ReadChangedSince(Key(1), Interval.S30, traded.Seq, 10).Candles);
        Assert.False(s30.Candle.IsFinal);
        Assert.Equal(traded.Seq, s30.UpdatedSeq);
        // Nothing of the finalized topic changed after the clock's position.
        Assert.Empty(node.Store.Candles.ReadChangedSince(Key(1), Interval.S1, finalized.Seq, 10).Candles);
        Assert.Equal(CheckpointOf(trade), node.Store.Meta.ReadCheckpoint());
    }

    /// <summary>A trade of mint 1 at <paramref name="time"/>, alone in its transaction.</summary>
    protected static IngestedTransaction Trade(int n, ulong slot, long time) =>
        new(Signature(n), slot, 0, time, Failed: false, [BuySell(0, 10, (UInt128)(100 + n))], []);

    private static async Task<StreamPosition> AppendAsync(IStreamUnderTest node, StreamBatch batch)
    {
        using var timeout = new CancellationTokenSource(Wait);
        var position = await node.Stream.AppendAsync(batch, timeout.Token);
        await node.WaitAppliedAsync(position, timeout.Token);
        return position;
    }

    private static List<string> Describe(IStreamUnderTest node) => [.. node.Store.Events.ReadEvents().Select(e => TestChain.Describe(e) + " " + e.Seq)];

    private static List<TopicCandle> Candles(IStreamUnderTest node) => [.. node.Store.Candles.ReadAllCandles()];
}
