using SpinPet.Core.Chain;
using SpinPet.Core.Events;

namespace SpinPet.ChainSimulator.Generation;

/// <summary>What one transaction does, before it is dressed in log lines.</summary>
/// <param name="Instructions">Top-level invocations of the program, in order; empty when it is only mentioned.</param>
/// <param name="Accounts">Writable accounts the transaction touches besides the fee payer.</param>
/// <param name="Failure">Set when the last instruction fails and the whole transaction is reverted.</param>
internal sealed record TransactionPlan(
    PublicKey FeePayer,
    IReadOnlyList<InstructionPlan> Instructions,
    IReadOnlyList<PublicKey> Accounts,
    PlannedFailure? Failure);

/// <summary>One invocation of the program: Anchor's instruction name and the events it emits, in order.</summary>
internal sealed record InstructionPlan(string Name, IReadOnlyList<SpinPetEvent> Events)
{
    /// <summary>Anchor's log name: <c>close_long</c> → <c>CloseLong</c>.</summary>
    public string LogName { get; } = string.Concat(Name.Split('_').Select(static part => char.ToUpperInvariant(part[0]) + part[1..]));
}

/// <summary>An Anchor error raised after the failing instruction logged <paramref name="EventsLogged"/> events.</summary>
internal sealed record PlannedFailure(ProgramError Error, int EventsLogged);
