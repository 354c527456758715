using SpinPet.Core.Candles;

namespace SpinPet.Streaming.Topics;

/// <summary>
/// One subscription to one topic as the fan-out sees it, and the seam toward whoever owns it: a sink of shared,
/// pre-serialized frames. The topic side keeps the subscription's place in the topic's publications
/// (<see cref="Marker"/>) and the newest state it has (<see cref="IsNewer"/>), serializes each update once per
/// <see cref="FrameFormat"/> in use and hands the frame to every subscription of that format
/// (<see cref="Deliver"/>); it never sees a session, a socket or a compression. A <c>/ws</c> session's subscription
/// is one kind (<c>ClientSubscription</c>); another protocol's session subclasses this the same way.
/// </summary>
/// <remarks>
/// The three members a sink implements are called by the broadcaster (or one of its slices, for a hot topic), a
/// resynchronization or the join, some of them inside the topic's lock (which the ingest's publish of the topic waits
/// for): they queue and return, never waiting for a client.
/// </remarks>
public abstract class TopicSubscription(TopicKey topic, FrameFormat format)
{
    public TopicKey Topic { get; } = topic;

    /// <summary>The protocol whose frames this subscription takes.</summary>
    public FrameFormat Format { get; } = format;

    /// <summary>Publications up to this number of the topic reached the subscription through its join (snapshot and replay), later ones through the fan-out.</summary>
    internal long Marker { get; set; }

    // The newest candle state the subscription has, as far as ordering states needs it (a state it has is never sent
    // again): its time, update count and finality. Not the Candle itself: 24 bytes instead of 72 per subscription,
    // every idle connection holding a few (decision 0014).
    private long _newestTime;
    private long _newestUpdates;
    private bool _newestFinal;
    private bool _hasNewest;

    /// <summary>The time of the newest state the subscription has; 0 when it has none.</summary>
    internal long NewestTime => _hasNewest ? _newestTime : 0;

    /// <summary>Records <paramref name="candle"/> as the newest state the subscription has; null: none.</summary>
    internal void Remember(Candle? candle)
    {
        _hasNewest = candle.HasValue;
        if (candle is { } newest)
        {
            _newestTime = newest.Time;
            _newestUpdates = newest.UpdateCount;
            _newestFinal = newest.IsFinal;
        }
    }

    /// <summary>Where the topic keeps this subscription's format (an index into its formats in use).</summary>
    internal int FormatSlot { get; set; }

    /// <summary>Hands over one frame of the topic in this subscription's format; frames come in publication order.</summary>
    protected internal abstract void Deliver(KlineFrame frame);

    /// <summary>
    /// Hands over one frame during a broadcaster's round: a sink that batches its writes queues it and joins
    /// <paramref name="round"/>; the others deliver it at once.
    /// </summary>
    protected internal virtual void Deliver(KlineFrame frame, DeliveryRound round) => Deliver(frame);

    /// <summary>
    /// Serializes the join's snapshot from the stored <paramref name="page"/> (for <c>/ws</c>: <c>history_data</c> and
    /// <c>subscription_confirmed</c>), before the topic's lock is taken; called again when the join reads again.
    /// </summary>
    protected internal abstract void PrepareSnapshot(HistoryPage page, long nowMs);

    /// <summary>
    /// Queues what <see cref="PrepareSnapshot"/> made. Called inside the topic's lock, before the replay of what was
    /// published during the read and before any live frame, which fixes their order.
    /// </summary>
    protected internal abstract void SendSnapshot();

    /// <summary>Delivers <paramref name="frame"/> when its state is one the subscription does not have yet.</summary>
    internal void Offer(KlineFrame frame)
    {
        if (IsNewer(frame.Candle))
        {
            Remember(frame.Candle);
            Deliver(frame);
        }
    }

    /// <summary><see cref="Offer(KlineFrame)"/> within a broadcaster's round.</summary>
    internal void Offer(KlineFrame frame, DeliveryRound round)
    {
        if (IsNewer(frame.Candle))
        {
            Remember(frame.Candle);
            Deliver(frame, round);
        }
    }

    /// <summary>True when <paramref name="candle"/> is a state the subscription does not have yet.</summary>
    internal bool IsNewer(Candle candle)
    {
        if (!_hasNewest)
        {
            return true;
        }
        if (candle.Time != _newestTime)
        {
            return candle.Time > _newestTime;
        }
        return candle.UpdateCount > _newestUpdates || (candle.IsFinal && !_newestFinal);
    }
}
