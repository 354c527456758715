using SpinPet.Core.Chain;
using SpinPet.Core.Stream;

namespace SpinPet.Streaming;

/// <summary>A mint's stored events, as the host's storage reads them (the event stream's snapshots).</summary>
public interface IEventHistory
{
    /// <summary>The mint's newest <paramref name="limit"/> events, oldest first (chain order).</summary>
    EventPage Newest(PublicKey mint, int limit);

    /// <summary>
    /// Every event of the mint stored by a batch after <paramref name="seq"/>, in the order applied (seq, then chain
    /// order); null when more than <paramref name="limit"/> are (protocol.md, "Position and resume").
    /// </summary>
    EventPage? After(PublicKey mint, long seq, int limit);
}

/// <summary>A window of a mint's events, whether older ones exist before it, and the mint's total.</summary>
public sealed record EventPage(IReadOnlyList<StreamEvent> Events, bool HasMore, long TotalCount)
{
    /// <summary>The newest batch the page reflects (its <c>seq</c> and <c>epoch</c>), set by the hub; null when unknown.</summary>
    public StreamPosition? Position { get; init; }

    /// <summary>For a subscription that asked to resume: whether the page holds exactly the events after its seq (true) or is the ordinary snapshot (false); null when it did not ask.</summary>
    public bool? Recovered { get; init; }
}

/// <summary>
/// One stored event as the event stream sends it: where it is in the chain, the seq of the batch that stored it, its
/// <c>event_type</c>, and <paramref name="Json"/>, exactly one item of <c>GET /api/events</c> (serialized once by the host).
/// </summary>
public sealed record StreamEvent(ChainPosition Position, long Seq, string EventType, byte[] Json);
