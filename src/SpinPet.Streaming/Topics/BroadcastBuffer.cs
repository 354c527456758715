namespace SpinPet.Streaming.Topics;

/// <summary>
/// The bound of the ingest → fan-out queue (<c>kline.broadcast_buffer_size</c>): how many candle states may wait
/// for the broadcaster over all topics. Taking a slot never blocks; a topic that finds the buffer full drops its
/// waiting states and resynchronizes its subscribers from storage instead (<see cref="Topic"/>).
/// </summary>
internal sealed class BroadcastBuffer(int capacity, StreamingCounters counters)
{
    private int _count;

    public int Capacity { get; } = capacity;

    /// <summary>States waiting for the broadcaster now.</summary>
    public int Count => Volatile.Read(ref _count);

    public bool TryTake()
    {
        if (Interlocked.Increment(ref _count) > Capacity)
        {
            Interlocked.Decrement(ref _count);
            return false;
        }
        return true;
    }

    public void Release(int states)
    {
        if (states > 0)
        {
            Interlocked.Add(ref _count, -states);
        }
    }

    /// <summary>Counts states that will not be fanned out (their topic resyncs from storage).</summary>
    public void Dropped(int states) => counters.BroadcastDroppedUpdates.Add(states);
}
