using SpinPet.Core.Candles;
using SpinPet.Streaming.Protocol;

namespace SpinPet.Streaming.Topics;

/// <summary>
/// The live state of one topic: its subscribers, the publications not yet fanned out (conflated: only the newest
/// state of a candle is kept, final states are all kept) and a short ring of recent publications that lets a new
/// subscriber join its history snapshot to the live stream without a gap.
/// </summary>
/// <remarks>
/// Every waiting state holds a slot of the shared <see cref="BroadcastBuffer"/>. A publication that finds it full
/// never waits: the topic drops its waiting states and turns <em>stale</em>, later publications only advance its
/// sequence and ring, and the broadcaster resynchronizes its subscribers from storage, which holds every published
/// state (the ingest publishes after the write), exactly like a new subscriber joins (<see cref="TryCompleteResync"/>).
/// A subscriber therefore never misses a final state and never sees one twice; it only gets the states a little later.
/// </remarks>
internal sealed class Topic(TopicKey key, BroadcastBuffer buffer)
{
    // 64 publications: a subscriber's history read takes about a millisecond; a topic published more than 64
    // times in that window makes the subscriber read again (counted), nothing is lost.
    private const int RecentCapacity = 64;

    private readonly Lock _gate = new();
    private readonly List<(Candle Candle, long Sequence, long PublishedAt)> _pending = [];
    private Candle[]? _recent;
    private long[]? _recentSequence;
    private long _sequence;
    private Subscriber[] _subscribers = [];
    private bool _queued;
    private bool _removed;
    private bool _stale;

    public TopicKey Key { get; } = key;

    public string Symbol { get; } = key.Mint.ToString();

    public int SubscriberCount => Volatile.Read(ref _subscribers).Length;

    internal bool Removed => _removed;

    public long Sequence
    {
        get
        {
            lock (_gate)
            {
                return _sequence;
            }
        }
    }

    /// <summary>Records a new candle state; true when the topic must be queued for the broadcaster.</summary>
    internal bool Publish(Candle candle, long publishedAt)
    {
        lock (_gate)
        {
            long sequence = ++_sequence;
            _recent ??= new Candle[RecentCapacity];
            _recentSequence ??= new long[RecentCapacity];
            _recent[sequence % RecentCapacity] = candle;
            _recentSequence[sequence % RecentCapacity] = sequence;
            if (_subscribers.Length == 0)
            {
                ClearPending();
                return false;
            }
            if (_stale)
            {
                // The resync reads this state from storage (or replays it from the ring). Queued again if needed: a
                // resync that failed (storage error) is retried with the topic's next publication.
                buffer.Dropped(1);
            }
            // Conflate: a newer state of the same candle replaces a queued realtime one (a final never is replaced).
            else if (_pending.Count > 0 && _pending[^1].Candle.Time == candle.Time && !_pending[^1].Candle.IsFinal)
            {
                _pending[^1] = (candle, sequence, publishedAt);
            }
            else if (buffer.TryTake())
            {
                _pending.Add((candle, sequence, publishedAt));
            }
            else
            {
                buffer.Dropped(_pending.Count + 1);
                ClearPending();
                _stale = true;
            }
            if (_queued)
            {
                return false;
            }
            _queued = true;
            return true;
        }
    }

    /// <summary>
    /// The broadcaster takes what is pending and the subscribers to send it to, and serializes each state once
    /// (outside the lock, off the ingest thread).
    /// </summary>
    internal (KlineFrame[] Frames, Subscriber[] Subscribers, bool Stale) Take(long nowMs)
    {
        (Candle Candle, long Sequence, long PublishedAt)[] pending;
        Subscriber[] subscribers;
        bool stale;
        lock (_gate)
        {
            _queued = false;
            pending = [.. _pending];
            ClearPending();
            subscribers = _subscribers;
            stale = _stale;
        }
        var frames = new KlineFrame[pending.Length];
        for (int i = 0; i < pending.Length; i++)
        {
            frames[i] = KlineFrame.Create(Key, Symbol, pending[i].Candle, pending[i].Sequence, nowMs, pending[i].PublishedAt);
        }
        return (frames, subscribers, stale);
    }

    /// <summary>
    /// Starts a resync of a stale topic: the sequence before the storage read, and from which candle time storage
    /// must be read (the oldest newest-state any subscriber has; 0 when one has none).
    /// </summary>
    internal (long SequenceBefore, long From) StartResync()
    {
        lock (_gate)
        {
            long from = long.MaxValue;
            foreach (var subscriber in _subscribers)
            {
                from = Math.Min(from, subscriber.Newest?.Time ?? 0);
            }
            return (_sequence, from == long.MaxValue ? 0 : from);
        }
    }

    /// <summary>
    /// Completes a resync with the stored candles read after <paramref name="sequenceBefore"/> (oldest first, frames
    /// serialized once): under the lock, each subscriber gets the stored states it lacks, then the publications after
    /// the read from the ring, and its marker moves to the current sequence, so the fan-out continues from there.
    /// False when the ring no longer covers the read (read again), like <see cref="TryAttach"/>.
    /// </summary>
    internal bool TryCompleteResync(long sequenceBefore, IReadOnlyList<KlineFrame> stored, long nowMs)
    {
        lock (_gate)
        {
            if (_removed || _subscribers.Length == 0)
            {
                _stale = false;
                return true;
            }
            if (_sequence - sequenceBefore > RecentCapacity)
            {
                return false;
            }
            var replay = new List<(long Sequence, KlineFrame Frame)>();
            for (long s = sequenceBefore + 1; s <= _sequence; s++)
            {
                replay.Add((s, KlineFrame.Create(Key, Symbol, _recent![s % RecentCapacity], 0, nowMs, System.Diagnostics.Stopwatch.GetTimestamp())));
            }
            foreach (var subscriber in _subscribers)
            {
                foreach (var frame in stored)
                {
                    Deliver(subscriber, frame);
                }
                foreach (var (sequence, frame) in replay)
                {
                    if (sequence > subscriber.Marker)
                    {
                        Deliver(subscriber, frame);
                    }
                }
                subscriber.Marker = _sequence;
            }
            _stale = false;
            return true;
        }
    }

    /// <summary>Queues a topic whose resync could not finish, so the broadcaster tries again; false when it is queued.</summary>
    internal bool Requeue()
    {
        lock (_gate)
        {
            if (_queued)
            {
                return false;
            }
            _queued = true;
            return true;
        }
    }

    private static void Deliver(Subscriber subscriber, KlineFrame frame)
    {
        if (subscriber.IsNewer(frame.Candle))
        {
            subscriber.Newest = frame.Candle;
            subscriber.Session.SendCandle(subscriber, frame);
        }
    }

    private void ClearPending()
    {
        buffer.Release(_pending.Count);
        _pending.Clear();
    }

    /// <summary>
    /// Joins a subscriber whose history snapshot was read after <paramref name="sequenceBefore"/>: the replay
    /// (publications after it that the snapshot may lack) goes out right after the snapshot, inside the lock, so the
    /// fan-out can only add later publications after them. False when the ring no longer holds every publication
    /// since <paramref name="sequenceBefore"/> (read the snapshot again) or the topic was retired.
    /// </summary>
    internal bool TryAttach(Subscriber subscriber, long sequenceBefore, Action<IReadOnlyList<Candle>> sendSnapshotAndReplay)
    {
        lock (_gate)
        {
            if (_removed || _sequence - sequenceBefore > RecentCapacity)
            {
                return false;
            }
            var replay = new List<Candle>();
            for (long s = sequenceBefore + 1; s <= _sequence; s++)
            {
                replay.Add(_recent![s % RecentCapacity]);
            }
            sendSnapshotAndReplay(replay);
            subscriber.Marker = _sequence;
            _subscribers = [.. _subscribers, subscriber];
            return true;
        }
    }

    /// <summary>Removes a subscriber; true when the topic has none left and was retired.</summary>
    internal bool Detach(Subscriber subscriber)
    {
        lock (_gate)
        {
            int index = Array.IndexOf(_subscribers, subscriber);
            if (index >= 0)
            {
                _subscribers = [.. _subscribers[..index], .. _subscribers[(index + 1)..]];
            }
            return RemoveIfUnusedLocked();
        }
    }

    /// <summary>
    /// Marks the topic removed when nobody is attached (a subscription that failed before attaching leaves it so);
    /// true then, and the caller takes it out of the hub. A subscriber racing in sees it removed and starts over.
    /// </summary>
    internal bool RemoveIfUnused()
    {
        lock (_gate)
        {
            return RemoveIfUnusedLocked();
        }
    }

    private bool RemoveIfUnusedLocked()
    {
        if (_subscribers.Length != 0)
        {
            return false;
        }
        _removed = true;
        ClearPending();
        return true;
    }
}
