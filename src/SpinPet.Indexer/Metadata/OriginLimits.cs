namespace SpinPet.Indexer.Metadata;

/// <summary>
/// How many of the workers a token's own uri may hold (the gateway is the operator's and serves nearly every token, so
/// only <c>ipfs.max_concurrency</c> limits it): one request at a time per origin, and <see cref="DirectSlots"/> over all
/// such origins together, half the workers (at least one). A slow origin, or many slow origins of one creator, so hold
/// at most half the workers for at most <c>ipfs.timeout_ms</c> per attempt; the other half stay with the gateway.
/// </summary>
/// <remarks>
/// A job whose origin is busy, or that finds every direct slot taken, waits here (its worker takes the next job) until a
/// direct request finishes; the worker that finished it takes the next waiting job at once, origins served in turn.
/// Not thread-safe: <see cref="TokenMetadataQueue"/> calls it under its lock. The jobs waiting here stay counted in the
/// lane they came from, so the lanes' capacities bound them too.
/// </remarks>
internal sealed class OriginLimits(int maxConcurrency)
{
    private readonly HashSet<string> _busy = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Queue<MetadataJob>> _waiting = new(StringComparer.Ordinal);
    private readonly Queue<string> _turns = new();

    /// <summary>Direct requests in flight at once, over all origins: half of <c>ipfs.max_concurrency</c>, at least 1.</summary>
    public int DirectSlots { get; } = Math.Max(1, maxConcurrency / 2);

    /// <summary>Direct requests in flight now.</summary>
    public int DirectInFlight => _busy.Count;

    /// <summary>Jobs waiting for their origin or for a direct slot.</summary>
    public int Waiting { get; private set; }

    /// <summary>Takes a slot for the job, or keeps it waiting and returns false.</summary>
    public bool TryEnter(MetadataJob job)
    {
        if (job.Origin is not { } origin)
        {
            return true;
        }
        if (!_busy.Contains(origin) && _busy.Count < DirectSlots)
        {
            _busy.Add(origin);
            return true;
        }
        if (!_waiting.TryGetValue(origin, out var queue))
        {
            _waiting[origin] = queue = new Queue<MetadataJob>();
            _turns.Enqueue(origin);
        }
        queue.Enqueue(job);
        Waiting++;
        return false;
    }

    /// <summary>Frees the job's slot; returns the next waiting job that may go now, its slot already taken.</summary>
    public MetadataJob? Exit(MetadataJob job)
    {
        if (job.Origin is not { } origin || !_busy.Remove(origin))
        {
            return null;
        }
        // Origins take turns; a busy one (at most DirectSlots of them) goes to the back of the line.
        for (int i = _turns.Count; i > 0; i--)
        {
            var candidate = _turns.Dequeue();
            if (_busy.Contains(candidate))
            {
                _turns.Enqueue(candidate);
                continue;
            }
            var queue = _waiting[candidate];
            var next = queue.Dequeue();
            if (queue.Count > 0)
            {
                _turns.Enqueue(candidate);
            }
            else
            {
                _waiting.Remove(candidate);
            }
            Waiting--;
            _busy.Add(candidate);
            return next;
        }
        return null;
    }
}
