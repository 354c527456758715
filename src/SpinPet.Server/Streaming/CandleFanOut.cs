using System.Buffers;
using System.Runtime.CompilerServices;
using SpinPet.Core.Stream;
using SpinPet.Indexer;
using SpinPet.Storage;
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
    private static readonly Comparer<CandleWrite> ByTime = Comparer<CandleWrite>.Create(static (a, b) => a.Candle.Time.CompareTo(b.Candle.Time));

    public void OnApplied(AppliedBatch batch)
    {
        PublishOldestFirst(batch.Candles, batch.Position);
        events.Publish(batch);
        hub.Applied(batch.Position);
    }

    /// <summary>
    /// A batch holds each candle once, unordered; a topic's states must go out oldest candle first. Rows of the same
    /// time are different topics, so an unstable sort keeps every topic's order. The sort runs in a pooled array: a
    /// busy slot's batch has hundreds of rows, and a fresh ordered copy per batch was about a tenth of the fan-out's
    /// allocations.
    /// </summary>
    private void PublishOldestFirst(IReadOnlyList<CandleWrite> rows, StreamPosition position)
    {
        if (rows.Count <= 1)
        {
            foreach (var row in rows)
            {
                hub.Publish(row.Mint, row.Interval, row.Candle, position);
            }
            return;
        }
        var ordered = ArrayPool<CandleWrite>.Shared.Rent(rows.Count);
        try
        {
            for (int i = 0; i < rows.Count; i++)
            {
                ordered[i] = rows[i];
            }
            Array.Sort(ordered, 0, rows.Count, ByTime);
            for (int i = 0; i < rows.Count; i++)
            {
                hub.Publish(ordered[i].Mint, ordered[i].Interval, ordered[i].Candle, position);
            }
        }
        finally
        {
            ArrayPool<CandleWrite>.Shared.Return(ordered, clearArray: RuntimeHelpers.IsReferenceOrContainsReferences<CandleWrite>());
        }
    }
}
