using SpinPet.Core.Chain;

namespace SpinPet.Core.Events;

/// <summary>
/// A decoded event where it happened: its transaction, its place in chain order and the block time
/// (unix seconds) that candles and every user-facing timestamp use.
/// </summary>
public sealed record ChainEvent(TxSignature Signature, ChainPosition Position, long BlockTime, SpinPetEvent Event)
{
    /// <summary>Identity of the event: (signature, index among the transaction's events).</summary>
    public ushort EventIndex => Position.EventIndex;
}
