using SpinPet.ChainSimulator.Chain;

namespace SpinPet.ChainSimulator.Generation;

/// <summary>A planned transaction dressed as a node shows it: log lines, message, error and costs.</summary>
/// <param name="VisibleData">The program's own <c>Program data:</c> lines (events and malformed data) that survived log truncation, in order.</param>
internal sealed record ComposedTransaction(
    IReadOnlyList<string> Logs,
    IReadOnlyList<OwnDataLine> VisibleData,
    TransactionError? Error,
    TransactionMessage Message,
    ulong ComputeUnitsConsumed,
    ulong Fee,
    ulong PayerLamportsBefore);
