using SpinPet.SocketIO.Engine;

namespace SpinPet.SocketIO.Tests.Engine;

public sealed class EngineOutboxTests
{
    private static EngineTextMessage Message(int length) => new(new byte[length]);

    [Fact]
    public void Bytes_count_from_queueing_until_the_send_completes()
    {
        var outbox = new EngineOutbox(maxBytes: 10_000);
        Assert.Equal(OutboxResult.Accepted, outbox.TryEnqueue(Message(100)));
        Assert.Equal(100 + EngineOutbox.EntryOverheadBytes, outbox.QueuedBytes);
        var batch = new List<EngineTextMessage>();
        long taken = outbox.Drain(batch, 64, out bool finished);
        Assert.False(finished);
        Assert.Single(batch);
        Assert.Equal(taken, outbox.QueuedBytes);
        outbox.Release(taken);
        Assert.Equal(0, outbox.QueuedBytes);
    }

    [Fact]
    public void A_packet_past_the_bound_is_refused_the_queue_dropped_and_the_outbox_closed()
    {
        var outbox = new EngineOutbox(maxBytes: 1_000);
        Assert.Equal(OutboxResult.Accepted, outbox.TryEnqueue(Message(400)));
        Assert.Equal(OutboxResult.Accepted, outbox.TryEnqueue(Message(400)));
        Assert.Equal(OutboxResult.Overflow, outbox.TryEnqueue(Message(400)));
        Assert.Equal(0, outbox.QueuedBytes);
        Assert.True(outbox.IsClosed);
        Assert.Equal(OutboxResult.Closed, outbox.TryEnqueue(Message(1)));
        Assert.True(outbox.PeakBytes <= 1_000);
    }

    [Fact]
    public void Bytes_in_a_send_still_count_against_the_bound()
    {
        var outbox = new EngineOutbox(maxBytes: 1_000);
        Assert.Equal(OutboxResult.Accepted, outbox.TryEnqueue(Message(800)));
        outbox.Drain([], 64, out _);
        Assert.Equal(OutboxResult.Overflow, outbox.TryEnqueue(Message(200)));
    }

    [Fact]
    public async Task A_waiting_drainer_wakes_for_a_packet_a_wake_and_the_close()
    {
        var outbox = new EngineOutbox(maxBytes: 10_000);
        var ready = outbox.WaitAsync(TestContext.Current.CancellationToken);
        Assert.False(ready.IsCompleted);
        outbox.TryEnqueue(Message(1));
        Assert.Equal(OutboxWake.Ready, await ready);
        outbox.Drain([], 64, out _);

        var woken = outbox.WaitAsync(TestContext.Current.CancellationToken);
        outbox.Wake();
        Assert.Equal(OutboxWake.Woken, await woken);

        // A wake with nobody waiting is kept for the next wait.
        outbox.Wake();
        Assert.Equal(OutboxWake.Woken, await outbox.WaitAsync(TestContext.Current.CancellationToken));

        var closed = outbox.WaitAsync(TestContext.Current.CancellationToken);
        outbox.Close(discard: false);
        Assert.Equal(OutboxWake.Closed, await closed);
    }

    [Fact]
    public void Closing_without_discarding_lets_the_queue_drain_and_then_reports_the_end()
    {
        var outbox = new EngineOutbox(maxBytes: 10_000);
        outbox.TryEnqueue(Message(10));
        outbox.TryEnqueue(Message(10));
        outbox.Close(discard: false);
        var batch = new List<EngineTextMessage>();
        outbox.Drain(batch, 1, out bool finished);
        Assert.False(finished);
        outbox.Drain(batch, 64, out finished);
        Assert.True(finished);
        Assert.Equal(2, batch.Count);
    }

    [Fact]
    public async Task A_cancelled_wait_leaves_room_for_the_next_drainer()
    {
        var outbox = new EngineOutbox(maxBytes: 10_000);
        using var cancel = new CancellationTokenSource();
        var wait = outbox.WaitAsync(cancel.Token);
        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await wait);
        var next = outbox.WaitAsync(TestContext.Current.CancellationToken);
        outbox.TryEnqueue(Message(1));
        Assert.Equal(OutboxWake.Ready, await next);
    }
}
