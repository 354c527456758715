using SpinPet.Core.Chain;
using SpinPet.SocketIO.Namespaces;
using SpinPet.Streaming;
using SpinPet.Streaming.Events;
using SpinPet.Streaming.Protocol;

namespace SpinPet.Server.SocketIO;

/// <summary>
/// A Socket.IO client's subscription to one mint's event stream: the fan-out's sink for its <c>event_data</c> packets
/// (shared by every Socket.IO subscriber of the mint, this subscription's id spliced in), and its join's snapshot
/// (<c>history_event_data</c> newest first, then <c>subscription_confirmed</c>, or the acknowledgement carrying it).
/// Never conflated: a session whose outbox cannot take a packet is closed by the library (slow consumer).
/// </summary>
internal sealed class SocketIOEventSubscription(SocketIOSocket socket, PublicKey mint, string? subscriptionId, long? ackId)
    : EventSubscription(mint, SocketIOEventFormat.Instance)
{
    // Ending and delivering take this lock, so once End returned no packet of this subscription is queued any more
    // (an unsubscribe_confirmed is never followed by its event_data). Held only while a packet is queued.
    private readonly Lock _gate = new();
    private readonly byte[] _subscriptionIdJson = ServerMessages.SubscriptionIdJson(subscriptionId);
    private bool _ended;

    // The join's snapshot, serialized before the topic's lock and queued inside it.
    private byte[]? _history;
    private byte[]? _confirmed;

    public string? SubscriptionId { get; } = subscriptionId;

    /// <summary>From now on no packet of this subscription is queued.</summary>
    public void End()
    {
        lock (_gate)
        {
            _ended = true;
        }
    }

    protected override void Deliver(EventFrame frame)
    {
        lock (_gate)
        {
            if (!_ended)
            {
                // False when the session is gone or over its outbox bound (which closes it): no packet is skipped silently.
                if (socket.TrySend(SocketIOEventFormat.Packet(frame), _subscriptionIdJson) && socket.State is KlineClient client)
                {
                    client.Sent.AddOther();
                }
            }
        }
    }

    protected override void PrepareSnapshot(EventPage page, long nowMs)
    {
        _history = KlinePayloads.HistoryEventData(Symbol, page, nowMs);
        _confirmed = KlinePayloads.DataOf(ServerMessages.EventSubscriptionConfirmed(Symbol, SubscriptionId, nowMs, page));
    }

    protected override void SendSnapshot()
    {
        lock (_gate)
        {
            if (!_ended)
            {
                KlineClient.Reply(socket, "history_event_data", _history!, ackId: null);
                KlineClient.Reply(socket, "subscription_confirmed", _confirmed!, ackId);
            }
        }
        _history = null;
        _confirmed = null;
    }

    /// <summary>
    /// The server fell behind the stream: the client leaves the namespace (DISCONNECT, then the handler's disconnect,
    /// which ends its subscriptions) rather than miss events. Safe off the session's handler calls: the disconnect is
    /// taken once (an atomic exchange) and the client's table is locked.
    /// </summary>
    protected override void Overrun() => socket.Disconnect();
}
