using SpinPet.ChainSimulator.Chain;
using SpinPet.Core.Events;

namespace SpinPet.ChainSimulator.Generation;

/// <summary>A planned transaction dressed as a node shows it: log lines, message, error and costs.</summary>
/// <param name="VisibleEvents">The program's own <c>Program data:</c> lines that survived log truncation, in order.</param>
internal sealed record ComposedTransaction(
    IReadOnlyList<string> Logs,
    IReadOnlyList<(SpinPetEvent Event, byte[] Payload)> VisibleEvents,
    TransactionError? Error,
    TransactionMessage Message,
    ulong ComputeUnitsConsumed,
    ulong Fee,
    ulong PayerLamportsBefore);
