using NATS.Client.Core;
using SpinPet.Cluster.Codec;
using SpinPet.Cluster.Streams;
using SpinPet.Core.Stream;
using SpinPet.TestSupport;

namespace SpinPet.Cluster.Tests;

/// <summary>Every node applies the stream through its own follower: in order, once, the same everywhere.</summary>
public sealed class StreamFollowerTests : ClusterTestBase
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Two_followers_hold_identical_events_candles_and_positions_after_the_same_batches()
    {
        var leader = Node("leader");
        var gateway = Node("gateway");
        foreach (var batch in Trades(first: 1, batches: 6))
        {
            await AppendAsync(leader, batch, gateway);
        }
        // The leader's clock finalizes; the gateway finalizes exactly as the stream says, not by its own clock.
        var clock = await AppendAsync(leader, StreamBatch.FinalizeAt(Storage.Tests.TestChain.BaseBlockTime + 60), gateway);

        Assert.Equal(clock, leader.Store.Meta.Position);
        Assert.Equal(clock, gateway.Store.Meta.Position);
        Assert.Equal(Dump(leader), Dump(gateway));
        Assert.Equal(18, gateway.Store.Events.ReadEvents().Count());
        Assert.Contains(gateway.Store.Candles.ReadAllCandles(), c => c.Candle.IsFinal);
        Assert.Equal(leader.Store.Candles.ReadAllCandles().Count(c => c.Candle.IsFinal), gateway.Store.Candles.ReadAllCandles().Count(c => c.Candle.IsFinal));
    }

    [Fact]
    public async Task A_restarted_follower_continues_from_its_stored_position()
    {
        var leader = Node("leader");
        var gateway = Node("gateway");
        var batches = Trades(first: 1, batches: 6);
        foreach (var batch in batches[..3])
        {
            await AppendAsync(leader, batch, gateway);
        }
        var stopped = gateway.Store.Meta.Position;
        await CloseAsync(gateway);
        foreach (var batch in batches[3..])
        {
            await AppendAsync(leader, batch);
        }

        var restarted = Node("gateway");
        Assert.Equal(stopped, restarted.Store.Meta.Position);
        await restarted.WaitAppliedAsync(leader.Store.Meta.Position, Ct);

        Assert.Equal(Dump(leader), Dump(restarted));
        Assert.Equal(0, restarted.Follower.EpochChanges);
    }

    [Fact]
    public async Task A_batch_split_into_parts_is_applied_once_at_its_last_parts_position()
    {
        var leader = Node("leader");
        var gateway = Node("gateway");
        var split = new JetStreamBatchStream(leader.Stream, leader.Follower, leader.Connection, Microsoft.Extensions.Logging.Abstractions.NullLogger<JetStreamBatchStream>.Instance)
        {
            MaxPartSize = 300,
        };
        var before = await AppendAsync(leader, Trades(first: 1, batches: 1)[0], gateway);
        var big = Trades(first: 100, batches: 1, perBatch: 12)[0];

        var position = await split.AppendAsync(big, Ct);
        await gateway.WaitAppliedAsync(position, Ct);

        long parts = position.Seq - before.Seq;
        Assert.Equal((BatchCodec.Encode(big).Length + 299) / 300, parts);
        Assert.Equal(position, gateway.Store.Meta.Position);
        // One write for the whole batch: all its events carry the last part's seq.
        Assert.All(gateway.Store.Events.ReadEvents().Skip(3), e => Assert.Equal(position.Seq, e.Seq));
        Assert.Equal(15, gateway.Store.Events.ReadEvents().Count());
        Assert.Equal(Dump(leader), Dump(gateway));
    }

    [Fact]
    public async Task A_batch_left_unfinished_by_its_writer_is_dropped_by_every_node_and_the_next_one_applies()
    {
        var leader = Node("leader");
        var gateway = Node("gateway");
        var first = await AppendAsync(leader, Trades(first: 1, batches: 1)[0], gateway);
        // A former leader's part 1 of 2, then nothing more of it.
        var orphan = BatchCodec.Encode(Trades(first: 50, batches: 1)[0]);
        var headers = new NatsHeaders { [ClusterStream.EpochHeader] = first.Epoch, [ClusterStream.BatchHeader] = "gone", [ClusterStream.PartHeader] = "1/2" };
        var ack = await leader.Stream.PublishAsync(orphan.AsMemory(0, 10), "gone:1", first.Seq, headers, Ct);
        Assert.Null(ack.Error);

        // The leader learns of it from the fence, catches up (the orphan consumed, not applied) and goes on.
        var batch = Trades(first: 10, batches: 1)[0];
        await Assert.ThrowsAsync<StreamFencedException>(async () => await leader.Batches.AppendAsync(batch, Ct));
        var next = await AppendAsync(leader, batch, gateway);

        Assert.Equal(first.Seq + 2, next.Seq);
        Assert.Equal(next, gateway.Store.Meta.Position);
        Assert.Equal(6, gateway.Store.Events.ReadEvents().Count());
        Assert.Equal(Dump(leader), Dump(gateway));
        Assert.Equal(1, gateway.Follower.Dropped);
    }

    [Fact]
    public async Task A_recreated_stream_is_a_new_epoch_that_positions_restart_in_and_stored_rows_survive()
    {
        var leader = Node("leader");
        var gateway = Node("gateway");
        var batches = Trades(first: 1, batches: 4);
        foreach (var batch in batches[..3])
        {
            await AppendAsync(leader, batch, gateway);
        }
        var old = gateway.Store.Meta.Position;
        var events = gateway.Store.Events.ReadEvents().Count();
        long adopted = gateway.Follower.EpochChanges;

        await leader.Stream.JetStream.DeleteStreamAsync("SPINPET", Ct);
        await leader.Stream.EnsureAsync(Ct);
        // The new leader re-publishes from its checkpoint: a batch already stored, then a new one.
        await Assert.ThrowsAsync<StreamFencedException>(async () => await leader.Batches.AppendAsync(batches[2], Ct));
        var again = await AppendAsync(leader, batches[2], gateway);
        var next = await AppendAsync(leader, batches[3], gateway);

        Assert.NotEqual(old.Epoch, again.Epoch);
        Assert.Equal(1, again.Seq);
        Assert.Equal(new StreamPosition(again.Epoch, 2), next);
        Assert.Equal(next, gateway.Store.Meta.Position);
        Assert.Equal(events + 3, gateway.Store.Events.ReadEvents().Count());
        Assert.Equal(adopted + 1, gateway.Follower.EpochChanges);
        Assert.Equal(Dump(leader), Dump(gateway));
    }

    /// <summary>
    /// The spike's hazard 7: an ordered consumer busy applying a batch while its stream is deleted, recreated and
    /// refilled goes on at its old sequence + 1 in the new stream, silently skipping what came before. With the poll of
    /// the stream's end out of the way, only the epoch on every message can notice.
    /// </summary>
    [Fact]
    public async Task A_stream_recreated_under_a_busy_consumer_is_noticed_by_the_epoch_on_its_messages()
    {
        var leader = Node("leader");
        using var busy = new HoldOnce(seq: 3);
        var gateway = Node("gateway", pollInterval: TimeSpan.FromHours(1), listener: busy);
        var old = Trades(first: 1, batches: 3);
        await AppendAsync(leader, old[0], gateway);
        await AppendAsync(leader, old[1], gateway);
        long adopted = gateway.Follower.EpochChanges;
        await AppendAsync(leader, old[2]);
        Assert.True(busy.Entered.Wait(Wait, Ct));

        await leader.Stream.JetStream.DeleteStreamAsync("SPINPET", Ct);
        await leader.Stream.EnsureAsync(Ct);
        await Assert.ThrowsAsync<StreamFencedException>(async () => await leader.Batches.AppendAsync(Trades(first: 100, batches: 1)[0], Ct));
        StreamPosition last = default;
        foreach (var batch in Trades(first: 100, batches: 5))
        {
            last = await AppendAsync(leader, batch);
        }
        busy.Release.Set();
        await gateway.WaitAppliedAsync(last, Ct);

        Assert.Equal(5, last.Seq);
        Assert.Equal(last, gateway.Store.Meta.Position);
        Assert.Equal(adopted + 1, gateway.Follower.EpochChanges);
        Assert.Equal(Dump(leader), Dump(gateway));
    }

    [Fact]
    public async Task A_gap_in_the_stream_stops_the_follower_before_it_and_restarts_it_from_the_stored_position()
    {
        var leader = Node("leader");
        var gateway = Node("gateway");
        var batches = Trades(first: 1, batches: 3);
        var first = await AppendAsync(leader, batches[0], gateway);
        await CloseAsync(gateway);
        var second = await AppendAsync(leader, batches[1]);
        await AppendAsync(leader, batches[2]);
        // A message lost from the stream (an operator's delete): the ordered consumer would pass over it silently.
        var stream = await leader.Stream.JetStream.GetStreamAsync("SPINPET", cancellationToken: Ct);
        await stream.DeleteMessageAsync(new NATS.Client.JetStream.Models.StreamMsgDeleteRequest { Seq = (ulong)second.Seq, NoErase = true }, Ct);

        var restarted = Node("gateway");
        await Eventually.TrueAsync(() => restarted.Follower.Restarts >= 2, Wait, "the follower restarts at the gap, more than once");

        Assert.Equal(first, restarted.Store.Meta.Position);
        Assert.Equal(3, restarted.Store.Events.ReadEvents().Count());
        Assert.False(restarted.Follower.IsWithin(0));
    }

    [Fact]
    public async Task A_restarted_nats_server_loses_nothing_and_the_followers_resume()
    {
        var leader = Node("leader");
        var gateway = Node("gateway");
        var batches = Trades(first: 1, batches: 4);
        await AppendAsync(leader, batches[0], gateway);
        await AppendAsync(leader, batches[1], gateway);
        long adopted = gateway.Follower.EpochChanges;

        await Server.StopAsync(kill: true);
        await Eventually.TrueAsync(() => !gateway.Follower.Reachable, Wait, "the gateway notices the server is gone");
        Assert.Equal(2, gateway.Store.Meta.Position.Seq);
        // Nobody asked for readiness while it was ready; /health still has to say "stale", not "never caught up".
        Assert.True(gateway.Follower.WasReady);
        await Server.StartAgainAsync();
        await AppendAsync(leader, batches[2], gateway);
        var last = await AppendAsync(leader, batches[3], gateway);

        Assert.Equal(4, last.Seq);
        Assert.Equal(adopted, gateway.Follower.EpochChanges);
        Assert.Equal(Dump(leader), Dump(gateway));
        await Eventually.TrueAsync(() => gateway.Follower.IsWithin(0), Wait, "the gateway is ready again");
    }

    /// <summary>Holds the announcement of the batch at <c>seq</c> until released: the follower is busy inside its loop.</summary>
    private sealed class HoldOnce(long seq) : Indexer.IAppliedBatchListener, IDisposable
    {
        public ManualResetEventSlim Entered { get; } = new();

        public ManualResetEventSlim Release { get; } = new();

        public void OnApplied(Indexer.AppliedBatch batch)
        {
            if (batch.Position.Seq == seq && !Entered.IsSet)
            {
                Entered.Set();
                Release.Wait(Wait);
            }
        }

        public void Dispose()
        {
            Release.Set();
            Entered.Dispose();
            Release.Dispose();
        }
    }
}
