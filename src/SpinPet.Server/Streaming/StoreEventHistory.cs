using System.Text.Json;
using SpinPet.Core.Chain;
using SpinPet.Server.Api;
using SpinPet.Storage;
using SpinPet.Streaming;

namespace SpinPet.Server.Streaming;

/// <summary>
/// The event stream's history, read from RocksDB: a mint's newest events (one range of <c>mint_events</c>) or those
/// stored after a seq (one range of <c>mint_event_seqs</c>), each serialized as the item of <c>GET /api/events</c>.
/// </summary>
internal sealed class StoreEventHistory(SpinPetStore store) : IEventHistory
{
    public EventPage Newest(PublicKey mint, int limit)
    {
        var page = store.Indexes.ReadMintEvents(mint, newestFirst: true, after: null, skip: 0, limit);
        // The store reads newest first; the protocol sends oldest first.
        var events = new StreamEvent[page.Items.Count];
        for (int i = 0; i < events.Length; i++)
        {
            events[i] = Of(page.Items[events.Length - 1 - i]);
        }
        return new EventPage(events, page.HasMore, Total(mint));
    }

    public EventPage? After(PublicKey mint, long seq, int limit)
    {
        var (stored, complete) = store.Indexes.ReadMintEventsAfter(mint, seq, limit);
        if (!complete)
        {
            return null;
        }
        long total = Total(mint);
        return new EventPage([.. stored.Select(Of)], total > stored.Count, total);
    }

    /// <summary>A stored event as the stream carries it (decoded from its payload, as <c>GET /api/events</c> does).</summary>
    public static StreamEvent Of(StoredEvent stored) => Of(stored, EventJson.From(stored));

    /// <summary>An event with its wire form already made (<see cref="EventJson"/>): serialized once, here.</summary>
    public static StreamEvent Of(StoredEvent stored, EventJson json) =>
        new(stored.Position, stored.Seq, json.EventType, JsonSerializer.SerializeToUtf8Bytes(json, ApiJsonContext.Default.EventJson));

    private long Total(PublicKey mint) => (long)(store.Indexes.GetMint(mint)?.EventCount ?? 0);
}
