using SpinPet.Streaming.Protocol;
using SpinPet.Streaming.Topics;
using SpinPet.WebSockets;

namespace SpinPet.Streaming.Sessions;

/// <summary>
/// A <c>/ws</c> client's subscription to one topic: the sink its topic delivers <c>kline_data</c> frames to, with what
/// the session keeps per subscription — the id (as JSON, the frames' piece, and as a DEFLATE stored block for
/// compressed frames, made with the first one), the conflation slot, and whether it ended.
/// </summary>
public sealed class ClientSubscription(ClientSession session, TopicKey topic, string? subscriptionId)
    : TopicSubscription(topic, KlineDataFormat.Instance)
{
    private byte[]? _storedSubscriptionId;

    // The join's snapshot, serialized before the topic's lock and queued inside it.
    private byte[]? _historyData;
    private byte[]? _confirmed;

    public string? SubscriptionId { get; } = subscriptionId;

    /// <summary>The id as JSON, encoded once for every frame of this subscription.</summary>
    public byte[] SubscriptionIdJson { get; } = ServerMessages.SubscriptionIdJson(subscriptionId);

    /// <summary>
    /// The id as a DEFLATE stored block, between a compressed frame's shared parts; made on the first compressed
    /// frame (only by the session's writer), so plain connections never hold it.
    /// </summary>
    internal byte[] StoredSubscriptionId => _storedSubscriptionId ??= PerMessageDeflate.StoredBlock(SubscriptionIdJson);

    /// <summary>Unsubscribed or replaced: no frame of it may be queued any more (set and read under the outbox lock).</summary>
    internal bool Detached { get; set; }

    /// <summary>
    /// The session's conflation slot: the outbox sequence number of a queued, unsent realtime frame of this
    /// subscription (0, or a number no longer queued: none). Read and written under the outbox lock.
    /// </summary>
    internal long PendingRealtime { get; set; }

    protected internal override void Deliver(KlineFrame frame) => session.SendCandle(this, frame);

    protected internal override void Deliver(KlineFrame frame, DeliveryRound round) => session.QueueCandle(this, frame, round);

    protected internal override void PrepareSnapshot(HistoryPage page, long nowMs)
    {
        // The mint in base58 is made here, once per join, not kept: ~110 bytes per subscription of an idle connection.
        string symbol = Topic.Mint.ToString();
        _historyData = ServerMessages.HistoryData(Topic, symbol, page, nowMs);
        _confirmed = ServerMessages.SubscriptionConfirmed(symbol, Topic.Interval, SubscriptionId, nowMs, page);
    }

    protected internal override void SendSnapshot()
    {
        session.SendHistory(_historyData!);
        session.SendReply(_confirmed!);
        _historyData = null;
        _confirmed = null;
    }
}
