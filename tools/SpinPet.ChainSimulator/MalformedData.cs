namespace SpinPet.ChainSimulator;

/// <summary>How a malformed <c>Program data:</c> line of the program is broken (shared/spec/events.md).</summary>
public enum MalformedDataKind
{
    /// <summary>A known discriminator with a body cut short of its layout: rejected, counted, kept for replay.</summary>
    ShortBody,

    /// <summary>A BuySellEvent whose <c>is_buy</c> byte is neither 0 nor 1: rejected, counted, kept for replay.</summary>
    InvalidBool,

    /// <summary>A TokenCreatedEvent whose name is not UTF-8: rejected, counted, kept for replay.</summary>
    InvalidUtf8,

    /// <summary>None of the seven discriminators (a newer program's event): skipped and counted on its own.</summary>
    UnknownDiscriminator,
}

/// <summary>
/// A <c>Program data:</c> line of the program that is not an event. It takes an index like an event does
/// (<paramref name="EventIndex"/> counts every data line of the program in the transaction), so the events after
/// it keep the identity a later decoder fix would give them. <paramref name="Payload"/> is the decoded line.
/// A correct indexer stores it beside the events, with its signature and position, to be replayed later.
/// </summary>
public sealed record LedgerMalformedData(
    string Signature,
    ulong Slot,
    int TxIndexInSlot,
    int EventIndex,
    long BlockTime,
    MalformedDataKind Kind,
    byte[] Payload)
{
    /// <summary>
    /// True for what events.md calls rejected (short body, bad bool, bad UTF-8); false for an unknown discriminator,
    /// which is skipped and counted separately (the server keeps both for replay).
    /// </summary>
    public bool IsRejected => Kind != MalformedDataKind.UnknownDiscriminator;
}
