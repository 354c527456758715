using SpinPet.Core.Events;

namespace SpinPet.ChainSimulator;

/// <summary>
/// An event as a correct indexer stores it. <paramref name="TxIndexInSlot"/> counts the program's transactions in
/// the slot (failed ones included) from 0; <paramref name="EventIndex"/> counts the program's own
/// <c>Program data:</c> lines in the transaction from 0, malformed ones included; <paramref name="Payload"/> is the
/// decoded line: 8-byte discriminator followed by the Borsh body (and <see cref="TrailingBytes"/> more bytes).
/// </summary>
public sealed record LedgerEvent(
    string Signature,
    ulong Slot,
    int TxIndexInSlot,
    int EventIndex,
    long BlockTime,
    SpinPetEvent Event,
    byte[] Payload)
{
    /// <summary>
    /// Bytes after the complete body (a newer program layout, <see cref="SimulatorOptions.MalformedDataRate"/>):
    /// the event is accepted as it is and stored with its whole payload.
    /// </summary>
    public int TrailingBytes { get; init; }
}
