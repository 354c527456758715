namespace SpinPet.ChainSimulator.Chain;

/// <summary>
/// The compiled message a <c>getTransaction</c> returns: account keys (the fee payer first, then
/// <paramref name="ReadonlyUnsignedCount"/> read-only keys at the end) and instructions indexing into them.
/// </summary>
internal sealed record TransactionMessage(
    IReadOnlyList<string> AccountKeys,
    int ReadonlyUnsignedCount,
    IReadOnlyList<CompiledInstruction> Instructions,
    string RecentBlockhash);

/// <summary>One top-level instruction: program and accounts as indexes into the message's keys; raw data.</summary>
internal sealed record CompiledInstruction(int ProgramIdIndex, IReadOnlyList<int> Accounts, byte[] Data);
