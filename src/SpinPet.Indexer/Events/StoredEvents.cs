using SpinPet.Core.Events;
using SpinPet.Core.Indexing;
using SpinPet.Solana.Decoding;
using SpinPet.Storage;

namespace SpinPet.Indexer.Events;

/// <summary>
/// The one place that turns stored payloads back into events (the store keeps the raw Anchor payload, docs/storage.md
/// "events value"): the REST answers, the rebuilds of the candles and of the index rows, and a mint's creation all read
/// through here. A payload stored with trailing bytes after a complete body reads as its event, as it was accepted live.
/// </summary>
public static class StoredEvents
{
    /// <summary>The stored event decoded, or null when its payload does not decode (a newer layout, damage).</summary>
    public static SpinPetEvent? Read(StoredEvent stored)
    {
        ArgumentNullException.ThrowIfNull(stored);
        return Read(stored.Payload);
    }

    /// <summary>A stored payload (discriminator ‖ Borsh body) decoded, or null when it does not decode.</summary>
    public static SpinPetEvent? Read(ReadOnlyMemory<byte> payload) =>
        EventDecoder.TryDecode(payload.Span, out var ev) is DecodeStatus.Ok or DecodeStatus.OkWithTrailingBytes ? ev : null;

    /// <summary>A mint's TokenCreatedEvent and where it is stored; null when the creation is not in the indexed history.</summary>
    public static (TokenCreatedEvent Event, StoredEvent Stored)? TokenCreation(SpinPetStore store, MintDetails mint)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(mint);
        if (mint.CreatedPosition is not { } position || store.Events.GetEvent(position) is not { } stored)
        {
            return null;
        }
        return Read(stored) is TokenCreatedEvent created ? (created, stored) : null;
    }
}
