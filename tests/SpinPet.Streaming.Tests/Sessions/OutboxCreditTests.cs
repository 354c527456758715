using SpinPet.Streaming.Sessions;

namespace SpinPet.Streaming.Tests.Sessions;

/// <summary>
/// One outbox's credit as another endpoint's outbox uses it (the Socket.IO session's, which reports the bytes it
/// holds): the same free allowance and chunks as /ws's <see cref="Outbox"/>, all given back once final and empty.
/// </summary>
public sealed class OutboxCreditTests
{
    private const long Chunk = Outbox.CreditChunkBytes;
    private const long Free = Outbox.FreeBytes;

    [Fact]
    public void Bytes_beyond_the_allowance_take_whole_chunks_that_come_back_as_the_outbox_drains_and_all_once_it_is_final()
    {
        var process = OutboxBudget.ForProcess(total: 100 * Chunk, perAddress: 4 * Chunk);
        var address = process.ForAddress();
        var credit = new OutboxCredit(address);

        Assert.Equal(OutboxOverflow.None, credit.TryCover(Free));
        Assert.Equal(0, address.Reserved);
        Assert.Equal(OutboxOverflow.None, credit.TryCover(Free + 1));
        Assert.Equal(Chunk, credit.Reserved);
        Assert.Equal(OutboxOverflow.None, credit.TryCover(Free + (3 * Chunk) + 1));
        Assert.Equal(4 * Chunk, address.Reserved);
        Assert.Equal(4 * Chunk, process.Reserved);

        // The address's budget is spent: nothing is taken, the caller closes its client.
        Assert.Equal(OutboxOverflow.AddressBudget, credit.TryCover(Free + (4 * Chunk) + 1));
        Assert.Equal(4 * Chunk, address.Reserved);

        // Drained to one chunk's worth: it keeps less than two chunks of room, so one chunk goes back...
        credit.Trim(Free + Chunk, final: false);
        Assert.Equal(2 * Chunk, credit.Reserved);
        // ...and once final (closed) only what it still holds, then nothing.
        credit.Trim(Free + 10, final: true);
        Assert.Equal(Chunk, credit.Reserved);
        credit.Trim(0, final: true);
        Assert.Equal(0, credit.Reserved);
        Assert.Equal(0, address.Reserved);
        Assert.Equal(0, process.Reserved);
    }

    [Fact]
    public void The_process_budget_bounds_every_address_together()
    {
        var process = OutboxBudget.ForProcess(total: 2 * Chunk, perAddress: 2 * Chunk);
        var first = new OutboxCredit(process.ForAddress());
        var second = new OutboxCredit(process.ForAddress());

        Assert.Equal(OutboxOverflow.None, first.TryCover(Free + (2 * Chunk)));
        Assert.Equal(OutboxOverflow.ProcessBudget, second.TryCover(Free + 1));
        first.Trim(0, final: true);
        Assert.Equal(OutboxOverflow.None, second.TryCover(Free + 1));
    }
}
