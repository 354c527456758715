using SpinPet.Core.Chain;
using SpinPet.Core.Events;

namespace SpinPet.Core.Ingest;

/// <summary>
/// One transaction of the program, decoded and placed in chain order, ready to be stored. A failed (reverted)
/// transaction carries no events but is still recorded, so that it is never fetched or counted again.
/// </summary>
public sealed record IngestedTransaction(
    TxSignature Signature,
    ulong Slot,
    uint TxIndex,
    long BlockTime,
    bool Failed,
    IReadOnlyList<DecodedEvent> Events,
    IReadOnlyList<RejectedPayload> Rejected)
{
    public ChainPosition PositionOf(ushort eventIndex) => new(Slot, TxIndex, eventIndex);
}

/// <summary>An event of ours that decoded: its index among the transaction's events, raw bytes and fields.</summary>
public sealed record DecodedEvent(ushort Index, ReadOnlyMemory<byte> Payload, SpinPetEvent Event);

/// <summary>
/// A <c>Program data:</c> line of ours that did not decode (short body, bad bool, bad UTF-8, bad base64, unknown
/// discriminator). Kept with its signature and index so that it can be replayed after a decoder fix.
/// </summary>
public sealed record RejectedPayload(ushort Index, string Reason, ReadOnlyMemory<byte> Payload);

/// <summary>The newest fully processed transaction: where backfill resumes.</summary>
public readonly record struct Checkpoint(TxSignature Signature, ulong Slot, uint TxIndex);
