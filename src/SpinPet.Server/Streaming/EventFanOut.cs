using SpinPet.Indexer;
using SpinPet.Server.Api;
using SpinPet.Storage;
using SpinPet.Streaming.Events;

namespace SpinPet.Server.Streaming;

/// <summary>
/// The host's adapter from the indexer to the event stream: each applied batch's stored events of mints someone
/// subscribes to go to the <see cref="EventHub"/>, in the order applied, each serialized once (the item of
/// <c>GET /api/events</c>) with the batch's position. Events of other mints cost a dictionary lookup. Called by
/// <see cref="CandleFanOut"/> before the batch's position is announced, so a join that reads the position finds every
/// publication of that batch counted. Publishing only queues; it never waits for a client.
/// </summary>
internal sealed class EventFanOut(EventHub hub)
{
    public void Publish(AppliedBatch batch)
    {
        var stored = batch.Stored;
        for (int t = 0; t < stored.Count; t++)
        {
            var transaction = stored[t];
            var events = transaction.Events;
            for (int i = 0; i < events.Count; i++)
            {
                var decoded = events[i];
                var mint = decoded.Event.MintAccount;
                if (!hub.HasSubscribers(mint))
                {
                    continue;
                }
                var row = new StoredEvent(transaction.Signature, transaction.PositionOf(decoded.Index), transaction.BlockTime, decoded.Event.Kind,
                    decoded.Payload) { Seq = batch.Position.Seq };
                hub.Publish(mint, StoreEventHistory.Of(row, EventJson.From(row, decoded.Event)), batch.Position);
            }
        }
    }
}
