using NATS.Client.Core;
using SpinPet.Cluster.Streams;
using SpinPet.Core.Stream;

namespace SpinPet.Cluster.Tests;

/// <summary>Publishing to the stream: a retried publish is a no-op, a stale writer is fenced off.</summary>
public sealed class PublishTests : ClusterTestBase
{
    [Fact]
    public async Task A_retried_publish_with_the_same_msg_id_is_stored_once_and_acknowledged_with_the_first_sequence()
    {
        var node = Node("leader");
        var state = await node.Stream.EnsureAsync(Ct);
        var headers = new NatsHeaders { [ClusterStream.EpochHeader] = state.Epoch };

        var first = await node.Stream.PublishAsync(new byte[] { 1 }, "batch-1:1", 0, headers, Ct);
        // The retry of a publish whose ack was lost: same id, same fence (now stale), other bytes even.
        var retry = await node.Stream.PublishAsync(new byte[] { 2 }, "batch-1:1", 0, headers, Ct);

        Assert.Equal((1ul, false), (first.Seq, first.Duplicate));
        Assert.Equal((1ul, true), (retry.Seq, retry.Duplicate));
        Assert.Null(retry.Error);
        Assert.Equal(1, (await node.Stream.TryGetStateAsync(Ct))!.Value.LastSeq);
    }

    [Fact]
    public async Task Re_appending_a_batch_whose_outcome_was_unknown_returns_its_position_and_applies_it_once()
    {
        var leader = Node("leader");
        var gateway = Node("gateway");
        var batch = Trades(first: 1, batches: 1)[0];

        var first = await AppendAsync(leader, batch, gateway);
        var again = await AppendAsync(leader, batch, gateway);

        Assert.Equal(first, again);
        Assert.Equal(1, (await leader.Stream.TryGetStateAsync(Ct))!.Value.LastSeq);
        Assert.Equal(3, gateway.Store.Events.ReadEvents().Count());
    }

    [Fact]
    public async Task A_former_leader_cannot_append_after_another_leader_did_and_stores_nothing()
    {
        var former = Node("former");
        var current = Node("current");
        var batches = Trades(first: 1, batches: 3);
        await AppendAsync(former, batches[0], current);
        // The new leader catches up and appends; the former one still believes the stream ends at seq 1.
        await current.Batches.CatchUpAsync(Ct);
        var appended = await AppendAsync(current, batches[1], former);

        await Assert.ThrowsAsync<StreamFencedException>(async () => await former.Batches.AppendAsync(batches[2], Ct));

        var state = (await current.Stream.TryGetStateAsync(Ct))!.Value;
        Assert.Equal(appended.Seq, state.LastSeq);
        Assert.False(current.Store.Events.ContainsTransaction(batches[2].Transactions[0].Signature));
        Assert.Equal(Dump(former), Dump(current));
    }

    [Fact]
    public async Task A_fenced_leader_that_still_leads_catches_up_and_its_next_append_follows_on()
    {
        var leader = Node("leader");
        var batches = Trades(first: 1, batches: 2);
        var first = await AppendAsync(leader, batches[0]);
        // Its own earlier attempt, landed after the duplicate window: the fence is what refuses a second copy.
        var headers = new NatsHeaders { [ClusterStream.EpochHeader] = first.Epoch, [ClusterStream.BatchHeader] = "late", [ClusterStream.PartHeader] = "1/1" };
        await leader.Stream.PublishAsync(Codec.BatchCodec.Encode(batches[1] with { Id = "late" }), "late:1", first.Seq, headers, Ct);

        await Assert.ThrowsAsync<StreamFencedException>(async () => await leader.Batches.AppendAsync(batches[1], Ct));
        var next = await AppendAsync(leader, batches[1]);

        Assert.Equal(new StreamPosition(first.Epoch, 3), next);
        // Its transactions came with the late copy (seq 2); the re-append stored nothing new.
        Assert.Equal(6, leader.Store.Events.ReadEvents().Count());
        Assert.All(leader.Store.Events.ReadEvents().Skip(3), e => Assert.Equal(2, e.Seq));
    }
}
