using SpinPet.Core.Stream;

namespace SpinPet.Streaming.Events;

/// <summary>
/// How one protocol writes an event of a mint's stream for its subscriptions: once per event for all of them, cut
/// around the subscription's id. <c>/ws</c>'s <c>event_data</c> is one format (<see cref="EventDataFormat"/>).
/// </summary>
public abstract class EventFrameFormat
{
    /// <summary>
    /// The shared bytes of <paramref name="streamEvent"/> of mint <paramref name="symbol"/>, stamped <paramref name="nowMs"/>,
    /// stored by the batch at <paramref name="position"/>; <paramref name="sequence"/> and <paramref name="publishedAt"/> travel with it.
    /// </summary>
    public abstract EventFrame Serialize(string symbol, StreamEvent streamEvent, long sequence, long nowMs, long publishedAt, StreamPosition position);
}
