namespace SpinPet.ChainSimulator;

/// <summary>A produced block: its slot, block time (unix seconds) and the program's transactions in block order.</summary>
public sealed record SimulatedBlock(ulong Slot, long BlockTime, IReadOnlyList<SimulatedTransaction> Transactions);
