using SpinPet.Core.Chain;
using SpinPet.Core.Events;

namespace SpinPet.Storage;

/// <summary>
/// An event as stored: its transaction, place in chain order, block time (unix seconds), kind and the raw payload
/// (8-byte discriminator ‖ Borsh body, exactly as logged), which keeps exact u128 values for any later decoder.
/// <see cref="Seq"/> is the position of the batch that stored it (0 for an event stored before positions existed).
/// </summary>
public sealed record StoredEvent(
    TxSignature Signature,
    ChainPosition Position,
    long BlockTime,
    EventKind Kind,
    ReadOnlyMemory<byte> Payload)
{
    /// <summary>The seq of the batch that stored the event, in the store's current numbering (docs/storage.md, "Positions").</summary>
    public long Seq { get; init; }
}
