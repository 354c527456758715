namespace SpinPet.ChainSimulator;

/// <summary>A produced block: its slot, block time (unix seconds) and the program's transactions in block order.</summary>
public sealed record SimulatedBlock(ulong Slot, long BlockTime, IReadOnlyList<SimulatedTransaction> Transactions)
{
    /// <summary>
    /// When the simulator emitted the block (wall clock): its transactions composed, its notifications about to be
    /// handed to the subscribers — the moment a node's RPC would start telling of it. Load tests measure from here.
    /// </summary>
    public DateTimeOffset EmittedAt { get; init; }
}
