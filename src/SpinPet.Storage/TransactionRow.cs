namespace SpinPet.Storage;

/// <summary>A row of the signatures family: where a stored transaction stands and what it produced.</summary>
internal readonly record struct TransactionRow(ulong Slot, uint TxIndex, ushort EventCount, bool Failed);
