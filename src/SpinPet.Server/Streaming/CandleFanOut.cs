using SpinPet.Indexer;
using SpinPet.Streaming.Topics;

namespace SpinPet.Server.Streaming;

/// <summary>
/// The host's adapter from the indexer to the fan-out: every applied batch's changed candles go to the topic hub, on
/// the applying thread right after the write, each with the batch's position, and its stored events to the event
/// stream (<see cref="EventFanOut"/>); then the hub learns the position (after both, so a snapshot that reads it finds
/// every publication of that batch already counted). Publishing only queues; it never waits for a client.
/// </summary>
internal sealed class CandleFanOut(TopicHub hub, EventFanOut events) : IAppliedBatchListener
{
    public void OnApplied(AppliedBatch batch)
    {
        // A batch holds each candle once, unordered; a topic's states must go out oldest candle first. A stable sort:
        // an unstable one cost more CPU per delivered frame in the fan-out (docs/benchmarks.md, fifth pass). ToArray
        // sizes its result once (a collection expression grew a list row by row).
        var ordered = batch.Candles.OrderBy(r => r.Candle.Time).ToArray();
        foreach (var row in ordered)
        {
            hub.Publish(row.Mint, row.Interval, row.Candle, batch.Position);
        }
        events.Publish(batch);
        hub.Applied(batch.Position);
    }
}
