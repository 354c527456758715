namespace SpinPet.Streaming.Topics;

/// <summary>
/// A sink that writes in rounds: during the broadcaster's pass over the topics that changed together it only queues
/// its frames and joins the round once (<see cref="DeliveryRound.Join"/>); at the round's end it writes what it queued.
/// </summary>
public interface IRoundSink
{
    /// <summary>Writes what the sink queued during the round; called once per round it joined, never waits for a client.</summary>
    void EndRound();
}

/// <summary>
/// One pass of the broadcaster over the topics that changed together (an ingest batch's, or the finals of one second).
/// A client with several updates in the pass (a final and the next candle's first state, or five subscribed mints that
/// traded in one slot) gets them in one socket write instead of one write each: most of a frame's cost is the kernel's
/// send, not the bytes. The writes at the round's end are split over the cores; a sink is in one slice, so its frames
/// keep their order.
/// </summary>
/// <remarks>Joined only by the broadcaster's thread, during the pass; ended by it after the pass.</remarks>
public sealed class DeliveryRound
{
    // Below this many sinks one thread writes them all: a hand-off to another core costs more than a few writes.
    private const int ParallelSinks = 64;

    private readonly List<IRoundSink> _sinks = [];

    /// <summary>Sinks that joined the round so far.</summary>
    public int Count => _sinks.Count;

    /// <summary>Adds a sink that queued frames; the sink joins once per round (it keeps its own flag).</summary>
    public void Join(IRoundSink sink) => _sinks.Add(sink);

    /// <summary>Has every sink write what it queued, then starts an empty round.</summary>
    internal void End()
    {
        try
        {
            int count = _sinks.Count;
            if (count >= ParallelSinks && Environment.ProcessorCount > 1)
            {
                int slices = Environment.ProcessorCount;
                Parallel.For(0, slices, slice => EndRange(count * slice / slices, count * (slice + 1) / slices));
            }
            else
            {
                EndRange(0, count);
            }
        }
        finally
        {
            _sinks.Clear();
        }
    }

    private void EndRange(int start, int end)
    {
        for (int i = start; i < end; i++)
        {
            _sinks[i].EndRound();
        }
    }
}
