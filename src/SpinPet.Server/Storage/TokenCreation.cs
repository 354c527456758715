using SpinPet.Core.Events;
using SpinPet.Core.Indexing;
using SpinPet.Solana.Decoding;
using SpinPet.Storage;

namespace SpinPet.Server.Storage;

/// <summary>A mint's TokenCreatedEvent, read from the event log at the position its mint row keeps.</summary>
internal static class TokenCreation
{
    /// <summary>The event and where it is stored; null when the creation is not in the indexed history.</summary>
    public static (TokenCreatedEvent Event, StoredEvent Stored)? Find(SpinPetStore store, MintDetails mint)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(mint);
        if (mint.CreatedPosition is not { } position || store.GetEvent(position) is not { } stored)
        {
            return null;
        }
        return EventDecoder.TryDecode(stored.Payload.Span, out var ev) is DecodeStatus.Ok or DecodeStatus.OkWithTrailingBytes && ev is TokenCreatedEvent created
            ? (created, stored)
            : null;
    }
}
