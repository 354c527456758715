namespace SpinPet.ChainSimulator.Chain;

/// <summary>A transaction as the ledger keeps it: the public view plus what the RPC needs to render it.</summary>
internal sealed record LedgerTransaction(
    SimulatedTransaction Transaction,
    long BlockTime,
    TransactionError? Error,
    TransactionMessage Message,
    ulong ComputeUnitsConsumed,
    ulong Fee,
    ulong PayerLamportsBefore)
{
    public string Signature => Transaction.Signature;

    public ulong Slot => Transaction.Slot;
}
