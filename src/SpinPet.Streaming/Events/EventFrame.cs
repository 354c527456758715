using SpinPet.Core.Stream;
using SpinPet.Streaming.Topics;

namespace SpinPet.Streaming.Events;

/// <summary>
/// One event of a mint's stream in one protocol's format (<see cref="EventFrameFormat"/>), serialized once and shared
/// by every subscription of that protocol: the message around the subscription's id (<see cref="SharedFrame"/>).
/// </summary>
public sealed class EventFrame(byte[] prefix, byte[] suffix, StreamEvent streamEvent, long sequence, long publishedAt, StreamPosition position)
    : SharedFrame(prefix, suffix)
{
    public StreamEvent Event { get; } = streamEvent;

    /// <summary>The topic's publication number (0 for an event read from storage): a subscription attached after it never receives it twice.</summary>
    public long Sequence { get; } = sequence;

    /// <summary>When the indexer published the event (<see cref="System.Diagnostics.Stopwatch"/> timestamp).</summary>
    public long PublishedAt { get; } = publishedAt;

    /// <summary>The batch that stored the event (its <c>seq</c> and <c>epoch</c>).</summary>
    public StreamPosition Position { get; } = position;
}
