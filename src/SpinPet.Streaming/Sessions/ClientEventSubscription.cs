using SpinPet.Core.Chain;
using SpinPet.Streaming.Events;
using SpinPet.Streaming.Protocol;
using SpinPet.WebSockets;

namespace SpinPet.Streaming.Sessions;

/// <summary>
/// A <c>/ws</c> client's subscription to one mint's event stream: the sink its topic delivers <c>event_data</c> frames
/// to, with the id (as JSON, the frames' piece) and whether it ended. Its frames queue like replies: never conflated,
/// and an outbox that cannot take one closes the client (1008) rather than leave a hole.
/// </summary>
public sealed class ClientEventSubscription(ClientSession session, PublicKey mint, string? subscriptionId)
    : EventSubscription(mint, EventDataFormat.Instance)
{
    // The join's snapshot, serialized before the topic's lock and queued inside it.
    private byte[]? _history;
    private byte[]? _confirmed;

    public string? SubscriptionId { get; } = subscriptionId;

    /// <summary>The id as JSON, encoded once for every frame of this subscription.</summary>
    public byte[] SubscriptionIdJson { get; } = ServerMessages.SubscriptionIdJson(subscriptionId);

    /// <summary>Unsubscribed or replaced: no frame of it may be queued any more (set and read under the outbox lock).</summary>
    internal bool Detached { get; set; }

    protected internal override void Deliver(EventFrame frame) => session.SendEvent(this, frame);

    protected internal override void PrepareSnapshot(EventPage page, long nowMs)
    {
        _history = ServerMessages.HistoryEventData(Symbol, page, nowMs);
        _confirmed = ServerMessages.EventSubscriptionConfirmed(Symbol, SubscriptionId, nowMs, page);
    }

    protected internal override void SendSnapshot()
    {
        session.SendReply(_history!);
        session.SendReply(_confirmed!);
        _history = null;
        _confirmed = null;
    }

    protected internal override void Overrun() =>
        session.RequestClose(WebSocketCloseCodes.TryAgainLater, "event stream overrun: the server fell behind; resume from your last seq");
}
