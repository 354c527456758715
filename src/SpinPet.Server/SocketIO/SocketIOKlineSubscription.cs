using SpinPet.SocketIO.Namespaces;
using SpinPet.Streaming;
using SpinPet.Streaming.Protocol;
using SpinPet.Streaming.Topics;

namespace SpinPet.Server.SocketIO;

/// <summary>
/// A Socket.IO client's subscription to one topic: the fan-out's sink for its <c>kline_data</c> packets (shared by
/// every Socket.IO subscriber of the topic, with this subscription's id spliced in), and its join's snapshot
/// (<c>history_data</c> newest first, then <c>subscription_confirmed</c>, or the acknowledgement carrying it).
/// </summary>
internal sealed class SocketIOKlineSubscription(SocketIOSocket socket, TopicKey topic, string? subscriptionId, long? ackId)
    : TopicSubscription(topic, SocketIOKlineFormat.Instance)
{
    // Ending and delivering take this lock, so once End returned no packet of this subscription is queued any more
    // (an unsubscribe_confirmed is never followed by its kline_data). Held only while a packet is queued, never
    // across a send: queueing never waits for the client.
    private readonly Lock _gate = new();
    private readonly byte[] _subscriptionIdJson = ServerMessages.SubscriptionIdJson(subscriptionId);
    private bool _ended;

    // The join's snapshot, serialized before the topic's lock and queued inside it.
    private byte[]? _historyData;
    private byte[]? _confirmed;

    public string? SubscriptionId { get; } = subscriptionId;

    /// <summary>From now on no frame of this subscription is queued.</summary>
    public void End()
    {
        lock (_gate)
        {
            _ended = true;
        }
    }

    protected override void Deliver(KlineFrame frame)
    {
        lock (_gate)
        {
            if (!_ended)
            {
                // False when the session is gone or over its outbox bound (which closes it): nothing more to do here.
                if (socket.TrySend(SocketIOKlineFormat.Packet(frame), _subscriptionIdJson) && socket.State is KlineClient client)
                {
                    client.Sent.AddKlineData();
                }
            }
        }
    }

    protected override void PrepareSnapshot(HistoryPage page, long nowMs)
    {
        // Made once per join, not kept per subscription (as ClientSubscription).
        string symbol = Topic.Mint.ToString();
        _historyData = KlinePayloads.HistoryData(Topic, symbol, page, nowMs);
        _confirmed = KlinePayloads.DataOf(ServerMessages.SubscriptionConfirmed(symbol, Topic.Interval, SubscriptionId, nowMs));
    }

    protected override void SendSnapshot()
    {
        lock (_gate)
        {
            if (!_ended)
            {
                KlineClient.Reply(socket, "history_data", _historyData!, ackId: null);
                KlineClient.Reply(socket, "subscription_confirmed", _confirmed!, ackId);
            }
        }
        _historyData = null;
        _confirmed = null;
    }
}
