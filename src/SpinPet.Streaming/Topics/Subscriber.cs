using SpinPet.Core.Candles;
using SpinPet.Streaming.Protocol;
using SpinPet.Streaming.Sessions;
using SpinPet.WebSockets;

namespace SpinPet.Streaming.Topics;

/// <summary>
/// One client's subscription to one topic. <see cref="Marker"/> is the topic's publication number at attach time:
/// publications up to it were delivered through the snapshot and replay, later ones through the fan-out.
/// <see cref="Newest"/> is the newest candle state the client has, so a state it already has is never sent again.
/// </summary>
public sealed class Subscriber(ClientSession session, TopicKey topic, string symbol, string? subscriptionId)
{
    public ClientSession Session { get; } = session;

    public TopicKey Topic { get; } = topic;

    public string Symbol { get; } = symbol;

    public string? SubscriptionId { get; } = subscriptionId;

    /// <summary>The id as JSON, encoded once for every frame of this subscription.</summary>
    public byte[] SubscriptionIdJson { get; } = ServerMessages.SubscriptionIdJson(subscriptionId);

    /// <summary>
    /// The id as a DEFLATE stored block, between a compressed frame's shared parts; made on the first compressed
    /// frame (only by the session's writer), so plain connections never hold it.
    /// </summary>
    internal byte[] StoredSubscriptionId => _storedSubscriptionId ??= PerMessageDeflate.StoredBlock(SubscriptionIdJson);

    private byte[]? _storedSubscriptionId;

    internal long Marker { get; set; }

    internal Candle? Newest { get; set; }

    /// <summary>Unsubscribed or replaced: no frame of it may be queued any more (set and read under the outbox lock).</summary>
    internal bool Detached { get; set; }

    /// <summary>The session's conflation slot: a queued, unsent realtime frame of this subscription.</summary>
    internal OutboundFrame? PendingRealtime { get; set; }

    /// <summary>True when <paramref name="candle"/> is a state the client does not have yet.</summary>
    internal bool IsNewer(Candle candle)
    {
        if (Newest is not { } newest)
        {
            return true;
        }
        if (candle.Time != newest.Time)
        {
            return candle.Time > newest.Time;
        }
        return candle.UpdateCount > newest.UpdateCount || (candle.IsFinal && !newest.IsFinal);
    }
}
