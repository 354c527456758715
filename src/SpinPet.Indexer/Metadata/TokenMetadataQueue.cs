using Microsoft.Extensions.Options;
using SpinPet.Core.Chain;
using SpinPet.Core.Events;
using SpinPet.Core.Ingest;

namespace SpinPet.Indexer.Metadata;

/// <summary>
/// Tokens waiting for their metadata, between the ingest (which only enqueues) and the fetcher's workers; each mint is
/// held at most once at a time. Two lanes: <b>fresh</b> tokens (never tried) in arrival order, and <b>retries</b> parked
/// with a due time after a transient failure. A worker never waits out a back-off: it parks the token and takes the next
/// one. When both lanes have a token ready, workers take from them in turn, so a backlog of failing tokens costs a new
/// token at most every other turn, and a flood of new tokens cannot starve the retries either.
/// </summary>
/// <remarks>
/// Bounds and overflow: each lane holds at most <c>ipfs.queue_capacity</c> waiting tokens (those waiting for their origin,
/// <see cref="OriginLimits"/>, included), so at most twice that many jobs of ~200 bytes plus the requests in flight.
/// A full fresh lane: the ingest never waits; the token is dropped, counted, and a rescan is requested, which walks the
/// stored mints and queues every created token without a metadata row, waiting for room as it goes (nothing is lost: the
/// token is in the store). A full retry lane: the failing token is given up at once (<see cref="TryPark"/> says so).
/// Due times use the monotonic clock of the <see cref="TimeProvider"/>: a wall-clock jump moves no retry.
/// </remarks>
public sealed class TokenMetadataQueue : IAppliedBatchListener
{
    private readonly Lock _gate = new();
    private readonly TimeProvider _time;
    private readonly Queue<MetadataJob> _fresh = new();
    private readonly PriorityQueue<MetadataJob, long> _retries = new();
    private readonly Dictionary<PublicKey, MetadataJob> _held = [];
    private readonly OriginLimits _origins;
    private readonly SemaphoreSlim _rescan = new(0, 1);
    private TaskCompletionSource _wake = NewSignal();
    private TaskCompletionSource _room = NewSignal();
    private bool _roomWanted;
    private bool _retryTurn;
    private int _freshWaiting;
    private int _retryWaiting;
    private long _dropped;
    private int _overflowed;

    public TokenMetadataQueue(IOptions<IpfsOptions> options, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(options);
        Enabled = options.Value.Enabled;
        Capacity = options.Value.QueueCapacity;
        _origins = new OriginLimits(options.Value.MaxConcurrency);
        _time = time;
    }

    public bool Enabled { get; }

    /// <summary>Waiting tokens each lane holds at most (<c>ipfs.queue_capacity</c>).</summary>
    public int Capacity { get; }

    /// <summary>Tokens waiting for a fetch (fresh and parked), not counting those in flight.</summary>
    public int Depth
    {
        get
        {
            lock (_gate)
            {
                return _freshWaiting + _retryWaiting;
            }
        }
    }

    /// <summary>Tokens parked for a retry after a transient failure.</summary>
    public int Parked
    {
        get
        {
            lock (_gate)
            {
                return _retryWaiting;
            }
        }
    }

    /// <summary>Tokens dropped because the fresh lane was full (each found again by the rescan that follows).</summary>
    public long Dropped => Volatile.Read(ref _dropped);

    /// <summary>
    /// The ingest's hook, called after a batch was stored: queues the mint of every TokenCreatedEvent without waiting.
    /// A loop over the batch's events with a type test each; no allocation unless a token was created.
    /// </summary>
    /// <summary>Queues the mints created in an applied batch (a non-blocking enqueue; the fetch happens in the background).</summary>
    public void OnApplied(AppliedBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        OnApplied(batch.Batch.Transactions);
    }

    public void OnApplied(IReadOnlyList<IngestedTransaction> transactions)
    {
        if (!Enabled)
        {
            return;
        }
        for (int t = 0; t < transactions.Count; t++)
        {
            var events = transactions[t].Events;
            for (int i = 0; i < events.Count; i++)
            {
                if (events[i].Event is TokenCreatedEvent created)
                {
                    TryEnqueue(created.MintAccount);
                }
            }
        }
    }

    /// <summary>Queues a fresh mint unless it is held already; false when the fresh lane was full (dropped, rescan requested).</summary>
    public bool TryEnqueue(PublicKey mint)
    {
        lock (_gate)
        {
            if (_held.ContainsKey(mint))
            {
                return true;
            }
            if (_freshWaiting < Capacity)
            {
                Add(new MetadataJob(mint, retrying: false));
                return true;
            }
        }
        Interlocked.Increment(ref _dropped);
        Volatile.Write(ref _overflowed, 1);
        RequestRescan();
        return false;
    }

    /// <summary>
    /// Queues the mint in the fresh lane, or in the retry lane due now (<paramref name="retry"/>), waiting for room (the
    /// rescan's way); false if it is held already.
    /// </summary>
    public async ValueTask<bool> EnqueueAsync(PublicKey mint, bool retry, CancellationToken cancellationToken)
    {
        while (true)
        {
            Task room;
            lock (_gate)
            {
                if (_held.ContainsKey(mint))
                {
                    return false;
                }
                if ((retry ? _retryWaiting : _freshWaiting) < Capacity)
                {
                    Add(new MetadataJob(mint, retry));
                    return true;
                }
                _roomWanted = true;
                room = _room.Task;
            }
            await room.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// The next job for a worker: a fresh token or a retry that is due, the two lanes in turn when both have one. Waits
    /// (on the <see cref="TimeProvider"/>) until one is queued or the earliest retry falls due. The job stays counted as
    /// waiting until <see cref="TryStart"/> or <see cref="Drop"/>.
    /// </summary>
    internal async ValueTask<MetadataJob> TakeAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            Task wake;
            TimeSpan wait;
            lock (_gate)
            {
                long now = _time.GetTimestamp();
                bool fresh = _fresh.Count > 0;
                bool retry = _retries.TryPeek(out _, out long due) && due <= now;
                if (fresh || retry)
                {
                    bool takeRetry = retry && (!fresh || _retryTurn);
                    _retryTurn = !takeRetry;
                    return takeRetry ? _retries.Dequeue() : _fresh.Dequeue();
                }
                wake = _wake.Task;
                wait = _retries.Count > 0 ? WholeMillisecondsUntil(now, due) : Timeout.InfiniteTimeSpan;
            }
            try
            {
                await wake.WaitAsync(wait, _time, cancellationToken).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                // The earliest retry is due.
            }
        }
    }

    /// <summary>
    /// The wait until a due time, rounded up to whole milliseconds: waits are counted in them, and a jittered back-off's
    /// 0.4 ms cut to 0 would time out at once, find the retry not due and wait 0 again, a spin until it is.
    /// </summary>
    private TimeSpan WholeMillisecondsUntil(long now, long due) =>
        TimeSpan.FromMilliseconds(Math.Ceiling(_time.GetElapsedTime(now, due).TotalMilliseconds));

    /// <summary>
    /// Starts the job's attempt if its origin allows (<see cref="OriginLimits"/>): true, and it no longer counts as
    /// waiting. False: it waits for its origin, and a worker finishing a request there gets it from <see cref="Finish"/>.
    /// </summary>
    internal bool TryStart(MetadataJob job)
    {
        ArgumentNullException.ThrowIfNull(job);
        lock (_gate)
        {
            if (!_origins.TryEnter(job))
            {
                return false;
            }
            LeaveWaiting(job);
            return true;
        }
    }

    /// <summary>
    /// The job's attempt ended: frees its origin slot. Returns the next job waiting for a direct slot, already started,
    /// for the calling worker to fetch at once; the caller then settles <paramref name="job"/> with <see cref="Complete"/>
    /// or <see cref="TryPark"/>.
    /// </summary>
    internal MetadataJob? Finish(MetadataJob job)
    {
        ArgumentNullException.ThrowIfNull(job);
        lock (_gate)
        {
            var next = _origins.Exit(job);
            if (next is not null)
            {
                LeaveWaiting(next);
            }
            return next;
        }
    }

    /// <summary>
    /// Parks a job whose attempt failed transiently until <paramref name="delay"/> has passed; false when the retry lane is
    /// full (the caller gives the token up).
    /// </summary>
    internal bool TryPark(MetadataJob job, TimeSpan delay)
    {
        ArgumentNullException.ThrowIfNull(job);
        lock (_gate)
        {
            if (_retryWaiting >= Capacity)
            {
                return false;
            }
            job.Retrying = true;
            _retryWaiting++;
            long due = _time.GetTimestamp() + (long)(delay.TotalSeconds * _time.TimestampFrequency);
            _retries.Enqueue(job, due);
            Signal();
            return true;
        }
    }

    /// <summary>A started job is settled (stored, failed or given up): the mint may be queued again.</summary>
    internal void Complete(MetadataJob job)
    {
        ArgumentNullException.ThrowIfNull(job);
        lock (_gate)
        {
            Release(job);
        }
    }

    /// <summary>A taken job that is not fetched after all (stored already, an unsupported uri): let go without an attempt.</summary>
    internal void Drop(MetadataJob job)
    {
        ArgumentNullException.ThrowIfNull(job);
        lock (_gate)
        {
            LeaveWaiting(job);
            Release(job);
        }
    }

    public void RequestRescan()
    {
        try
        {
            _rescan.Release();
        }
        catch (SemaphoreFullException)
        {
            // A rescan is already requested; one covers both.
        }
    }

    /// <summary>
    /// Waits until a rescan is requested. Returns whether tokens were dropped since the last call (for one log line per
    /// overflow episode).
    /// </summary>
    public async Task<bool> WaitForRescanAsync(CancellationToken cancellationToken)
    {
        await _rescan.WaitAsync(cancellationToken).ConfigureAwait(false);
        return Interlocked.Exchange(ref _overflowed, 0) != 0;
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private void Add(MetadataJob job)
    {
        _held.Add(job.Mint, job);
        if (job.Retrying)
        {
            _retryWaiting++;
            _retries.Enqueue(job, _time.GetTimestamp());
        }
        else
        {
            _freshWaiting++;
            _fresh.Enqueue(job);
        }
        Signal();
    }

    private void Release(MetadataJob job)
    {
        if (_held.TryGetValue(job.Mint, out var held) && held == job)
        {
            _held.Remove(job.Mint);
        }
    }

    private void LeaveWaiting(MetadataJob job)
    {
        if (job.Retrying)
        {
            _retryWaiting--;
        }
        else
        {
            _freshWaiting--;
        }
        if (_roomWanted)
        {
            _roomWanted = false;
            var room = _room;
            _room = NewSignal();
            room.TrySetResult();
        }
    }

    /// <summary>Wakes the waiting workers: a job was queued, or an earlier due time was set.</summary>
    private void Signal()
    {
        var wake = _wake;
        _wake = NewSignal();
        wake.TrySetResult();
    }
}
