using SpinPet.Core.Chain;

namespace SpinPet.Streaming.Events;

/// <summary>
/// One subscription to a mint's event stream as the fan-out sees it, and the seam toward whoever owns it (like
/// <see cref="Topics.TopicSubscription"/> for candles): a sink of shared, pre-serialized frames. Events are never
/// conflated or skipped: a sink that cannot take one closes its client instead (protocol.md).
/// </summary>
/// <remarks>
/// The members a sink implements are called by the broadcaster or the join, some inside the topic's lock (which the
/// indexer's publish of that mint waits for): they queue and return, never waiting for a client.
/// </remarks>
public abstract class EventSubscription(PublicKey mint, EventFrameFormat format)
{
    public PublicKey Mint { get; } = mint;

    /// <summary>The mint in base58, as every message of the subscription names it.</summary>
    public string Symbol { get; } = mint.ToString();

    /// <summary>The protocol whose frames this subscription takes.</summary>
    public EventFrameFormat Format { get; } = format;

    /// <summary>Publications up to this number of the topic reached the subscription through its join, later ones through the fan-out.</summary>
    internal long Marker { get; set; }

    /// <summary>
    /// Events the join sent that were stored after its position and may still be published after it attached (a batch
    /// is stored before it is published): such a publication is not sent again. Null when there are none (usually);
    /// touched by the join inside the topic's lock, then by the broadcaster only.
    /// </summary>
    internal HashSet<ChainPosition>? Unpublished { get; set; }

    /// <summary>False when the join already sent <paramref name="frame"/>'s event (<see cref="Unpublished"/>).</summary>
    internal bool IsNew(EventFrame frame)
    {
        if (Unpublished is not { } sent || !sent.Remove(frame.Event.Position))
        {
            return true;
        }
        if (sent.Count == 0)
        {
            Unpublished = null;
        }
        return false;
    }

    /// <summary>Hands over one event in this subscription's format; events come in the order applied.</summary>
    protected internal abstract void Deliver(EventFrame frame);

    /// <summary>Serializes the join's snapshot (<c>history_event_data</c> and the confirmation) before the topic's lock is taken.</summary>
    protected internal abstract void PrepareSnapshot(EventPage page, long nowMs);

    /// <summary>Queues what <see cref="PrepareSnapshot"/> made; inside the topic's lock, before any event frame.</summary>
    protected internal abstract void SendSnapshot();

    /// <summary>
    /// The server fell behind this stream (its fan-out queue, <c>kline.broadcast_buffer_size</c>, was full) and dropped
    /// the subscription rather than leave a hole: the owner closes its client, which resumes with its last <c>seq</c>.
    /// </summary>
    protected internal abstract void Overrun();
}
