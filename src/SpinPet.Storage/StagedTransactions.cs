using SpinPet.Core.Ingest;

namespace SpinPet.Storage;

/// <summary>What <see cref="EventLog.Stage"/> staged: the counts, and the new, successful transactions in the order given.</summary>
public readonly record struct StagedTransactions(ApplyResult Result, IReadOnlyList<IngestedTransaction> Stored);
