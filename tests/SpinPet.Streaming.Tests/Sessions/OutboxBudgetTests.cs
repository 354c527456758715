using SpinPet.Streaming.Sessions;

namespace SpinPet.Streaming.Tests.Sessions;

/// <summary>
/// The outbox budgets: what one address's connections, and all connections, may hold beyond each outbox's free
/// allowance, taken and given back in chunks; a connection that cannot get credit is a slow consumer like one past
/// its own bound.
/// </summary>
public sealed class OutboxBudgetTests
{
    private const long Chunk = Outbox.CreditChunkBytes;
    private const long Free = Outbox.FreeBytes;
    private const long Unbounded = 64L << 20;

    [Fact]
    public void Within_its_free_allowance_an_outbox_takes_nothing_from_the_budgets()
    {
        var process = OutboxBudget.ForProcess(total: 0, perAddress: 0);
        var outbox = new Outbox(Unbounded, process.ForAddress());

        Assert.True(outbox.Enqueue(Costing(Free - 1000)));
        Assert.True(outbox.Enqueue(Costing(1000)));
        Assert.Equal(Free, outbox.Bytes);
        Assert.Equal(0, outbox.Credit);
        Assert.False(outbox.Enqueue(OutboundFrame.Ping));
        Assert.Equal(OutboxOverflow.AddressBudget, outbox.OverflowCause);
    }

    [Fact]
    public void Beyond_the_allowance_credit_is_taken_in_whole_chunks_from_the_address_and_the_process_and_given_back_as_it_drains()
    {
        var process = OutboxBudget.ForProcess(total: 100 * Chunk, perAddress: 10 * Chunk);
        var address = process.ForAddress();
        var outbox = new Outbox(Unbounded, address);

        // A history of ~272 KB on top of a full allowance: five chunks (4.15 needed).
        outbox.Enqueue(Costing(Free));
        outbox.Enqueue(Costing(272_000));
        Assert.Equal(5 * Chunk, outbox.Credit);
        Assert.Equal(5 * Chunk, address.Reserved);
        Assert.Equal(5 * Chunk, process.Reserved);

        // Taken by the writer: still held until the send completes.
        var batch = new List<OutboundFrame>();
        outbox.TakeBatch(batch, 64);
        Assert.Equal(5 * Chunk, process.Reserved);
        outbox.EndSend(wakeWriter: false);
        Assert.Equal(0, outbox.Bytes);
        Assert.Equal(0, address.Reserved);
        Assert.Equal(0, process.Reserved);
        Assert.Equal(5 * Chunk, process.AddressPeakReserved);
        Assert.Equal(5 * Chunk, process.PeakReserved);
    }

    [Fact]
    public void An_outbox_at_its_allowances_edge_keeps_its_chunk_instead_of_taking_and_returning_it_per_frame()
    {
        var process = OutboxBudget.ForProcess(total: 100 * Chunk, perAddress: 10 * Chunk);
        var outbox = new Outbox(Unbounded, process.ForAddress());
        var batch = new List<OutboundFrame>();
        // 164 frames of 400 bytes: 64 bytes past the allowance.
        for (int i = 0; i < 164; i++)
        {
            outbox.Enqueue(Costing(400));
        }
        Assert.Equal(Chunk, process.Reserved);

        // One frame leaves, one arrives: the outbox crosses the allowance's edge both ways every time.
        for (int i = 0; i < 100; i++)
        {
            batch.Clear();
            outbox.TakeBatch(batch, 1);
            outbox.EndSend(wakeWriter: false);
            Assert.Equal(Free - 336, outbox.Bytes);
            Assert.Equal(Chunk, process.Reserved);
            outbox.Enqueue(Costing(400));
        }

        // Drained, it keeps nothing.
        while (outbox.Bytes > 0)
        {
            batch.Clear();
            outbox.TakeBatch(batch, 64);
            outbox.EndSend(wakeWriter: false);
        }
        Assert.Equal(0, process.Reserved);
        Assert.Equal(Chunk, process.PeakReserved);
    }

    [Fact]
    public void The_connections_of_one_address_share_its_budget_and_the_one_that_finds_it_spent_is_closed_alone()
    {
        var process = OutboxBudget.ForProcess(total: 100 * Chunk, perAddress: 3 * Chunk);
        var address = process.ForAddress();
        var first = new Outbox(Unbounded, address);
        var second = new Outbox(Unbounded, address);

        Assert.True(first.Enqueue(Costing(Free + 2 * Chunk)));
        Assert.True(second.Enqueue(Costing(Free + Chunk / 2)));
        Assert.Equal(3 * Chunk, address.Reserved);
        // The second needs a chunk more than the address has left: refused like a message past its own bound.
        Assert.False(second.Enqueue(Costing(Chunk)));
        Assert.True(second.Overflowed);
        Assert.Equal(OutboxOverflow.AddressBudget, second.OverflowCause);
        // Its queue is dropped and its credit given back at once; the first keeps what it holds.
        Assert.Equal(0, second.Bytes);
        Assert.Equal(2 * Chunk, address.Reserved);
        Assert.False(first.Overflowed);
        Assert.True(first.Enqueue(Costing(Chunk)));
        Assert.Equal(3 * Chunk, address.Reserved);

        // Another address has a budget of its own.
        var other = new Outbox(Unbounded, process.ForAddress());
        Assert.True(other.Enqueue(Costing(Free + 3 * Chunk)));
        Assert.Equal(6 * Chunk, process.Reserved);
        Assert.Equal(3 * Chunk, process.AddressPeakReserved);
    }

    [Fact]
    public void When_the_process_budget_is_spent_an_address_with_room_left_is_refused_too_and_keeps_nothing_of_the_attempt()
    {
        var process = OutboxBudget.ForProcess(total: 3 * Chunk, perAddress: 3 * Chunk);
        var one = process.ForAddress();
        var two = process.ForAddress();
        Assert.True(new Outbox(Unbounded, one).Enqueue(Costing(Free + 2 * Chunk)));

        var outbox = new Outbox(Unbounded, two);
        Assert.False(outbox.Enqueue(Costing(Free + 2 * Chunk)));
        Assert.Equal(OutboxOverflow.ProcessBudget, outbox.OverflowCause);
        Assert.Equal(0, two.Reserved);
        Assert.Equal(2 * Chunk, process.Reserved);
    }

    [Fact]
    public void The_own_bound_is_checked_first_and_named()
    {
        var process = OutboxBudget.ForProcess(total: 100 * Chunk, perAddress: 100 * Chunk);
        var outbox = new Outbox(maxBytes: 524_288, process.ForAddress());
        Assert.True(outbox.Enqueue(Costing(500_000)));
        Assert.False(outbox.Enqueue(Costing(30_000)));
        Assert.Equal(OutboxOverflow.Bound, outbox.OverflowCause);
        Assert.Equal(0, process.Reserved);
    }

    [Fact]
    public void A_closed_outbox_keeps_the_credit_of_its_send_in_progress_until_that_send_ends_then_none()
    {
        var process = OutboxBudget.ForProcess(total: 100 * Chunk, perAddress: 100 * Chunk);
        var outbox = new Outbox(Unbounded, process.ForAddress());
        outbox.Enqueue(Costing(Free + 2 * Chunk));
        var batch = new List<OutboundFrame>();
        outbox.TakeBatch(batch, 64);
        outbox.Enqueue(Costing(5 * Chunk));
        Assert.Equal(7 * Chunk, process.Reserved);

        outbox.Complete();
        // The queued reply is dropped; the send the client has not taken yet is still held.
        Assert.Equal(2 * Chunk, process.Reserved);
        outbox.EndSend(wakeWriter: false);
        Assert.Equal(0, process.Reserved);
        Assert.Equal(0, outbox.Credit);
    }

    [Fact]
    public void Outboxes_of_one_address_filled_and_drained_from_many_threads_never_pass_the_budget_and_give_it_all_back()
    {
        const int Threads = 8;
        var process = OutboxBudget.ForProcess(total: 12 * Chunk, perAddress: 12 * Chunk);
        var address = process.ForAddress();
        var outboxes = Enumerable.Range(0, Threads).Select(_ => new Outbox(Unbounded, address)).ToArray();

        Parallel.For(0, Threads, t =>
        {
            var random = new Random(t);
            var outbox = outboxes[t];
            var batch = new List<OutboundFrame>();
            for (int i = 0; i < 5_000 && !outbox.Overflowed; i++)
            {
                outbox.Enqueue(Costing(random.Next(200, 40_000)));
                if (random.Next(3) == 0)
                {
                    batch.Clear();
                    outbox.TakeBatch(batch, random.Next(1, 4));
                    outbox.EndSend(wakeWriter: false);
                }
            }
            outbox.Complete();
            outbox.EndSend(wakeWriter: false);
        });

        Assert.Equal(0, address.Reserved);
        Assert.Equal(0, process.Reserved);
        Assert.InRange(process.PeakReserved, 1, 12 * Chunk);
        Assert.All(outboxes, o => Assert.Equal(0, o.Credit));
    }

    /// <summary>A reply that counts exactly <paramref name="bytes"/> against the outbox.</summary>
    private static OutboundFrame Costing(long bytes) => OutboundFrame.Reply(new byte[bytes - Outbox.EntryOverheadBytes]);
}
