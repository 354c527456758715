using System.Diagnostics;
using SpinPet.Core.Candles;
using SpinPet.Core.Stream;

namespace SpinPet.Streaming.Topics;

/// <summary>
/// The live state of one topic: its subscriptions and the formats they take, the publications not yet fanned out
/// (conflated: only the newest state of a candle is kept, final states are all kept) and a short ring of recent
/// publications that lets a new subscription join its history snapshot to the live stream without a gap.
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

    // The formats in use are a bit mask: one protocol or two in practice.
    private const int MaxFormats = 64;

    private readonly Lock _gate = new();
    private readonly List<(Candle Candle, long Sequence, long PublishedAt, StreamPosition Position)> _pending = [];
    private Candle[]? _recent;
    private long[]? _recentSequence;
    private StreamPosition[]? _recentPosition;
    private long _sequence;
    private TopicSubscription[] _subscribers = [];

    // The formats this topic's subscriptions have taken, in order of first use, and how many take each now: an update
    // is serialized in a format only while someone takes it. Never shrinks (a protocol or two), so slots stay valid.
    private FrameFormat[] _formats = [];
    private int[] _perFormat = [];
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

    /// <summary>Records a new candle state of the batch at <paramref name="position"/>; true when the topic must be queued for the broadcaster.</summary>
    internal bool Publish(Candle candle, long publishedAt, StreamPosition position)
    {
        lock (_gate)
        {
            long sequence = ++_sequence;
            _recent ??= new Candle[RecentCapacity];
            _recentSequence ??= new long[RecentCapacity];
            _recentPosition ??= new StreamPosition[RecentCapacity];
            _recent[sequence % RecentCapacity] = candle;
            _recentSequence[sequence % RecentCapacity] = sequence;
            _recentPosition[sequence % RecentCapacity] = position;
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
                _pending[^1] = (candle, sequence, publishedAt, position);
            }
            else if (buffer.TryTake())
            {
                _pending.Add((candle, sequence, publishedAt, position));
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
    /// The broadcaster takes what is pending and the subscriptions to send it to, and serializes each state once per
    /// format in use (outside the lock, off the ingest thread): the frames of format slot f are at index f, null where
    /// nobody takes that format.
    /// </summary>
    internal (KlineFrame[]?[] Frames, TopicSubscription[] Subscribers, bool Stale) Take(long nowMs)
    {
        (Candle Candle, long Sequence, long PublishedAt, StreamPosition Position)[] pending;
        TopicSubscription[] subscribers;
        FrameFormat[] formats;
        ulong inUse;
        bool stale;
        lock (_gate)
        {
            _queued = false;
            pending = [.. _pending];
            ClearPending();
            subscribers = _subscribers;
            stale = _stale;
            (formats, inUse) = (_formats, FormatsInUse());
        }
        var frames = new KlineFrame[]?[formats.Length];
        for (int slot = 0; slot < formats.Length; slot++)
        {
            if ((inUse & (1UL << slot)) != 0)
            {
                var serialized = new KlineFrame[pending.Length];
                for (int i = 0; i < pending.Length; i++)
                {
                    serialized[i] = formats[slot].Serialize(Key, Symbol, pending[i].Candle, pending[i].Sequence, nowMs, pending[i].PublishedAt, pending[i].Position);
                }
                frames[slot] = serialized;
            }
        }
        return (frames, subscribers, stale);
    }

    /// <summary>
    /// Starts a resync of a stale topic: the sequence before the storage read, from which candle time storage must be
    /// read (the oldest newest-state any subscription has; 0 when one has none), and the formats to serialize it in.
    /// </summary>
    internal (long SequenceBefore, long From, FrameFormat[] Formats, ulong InUse) StartResync()
    {
        lock (_gate)
        {
            long from = long.MaxValue;
            foreach (var subscriber in _subscribers)
            {
                from = Math.Min(from, subscriber.NewestTime);
            }
            return (_sequence, from == long.MaxValue ? 0 : from, _formats, FormatsInUse());
        }
    }

    /// <summary>
    /// Completes a resync with the stored candles read after <paramref name="sequenceBefore"/> (oldest first, frames
    /// serialized once per format, by slot like <see cref="Take"/>): under the lock, each subscription gets the stored
    /// states it lacks, then the publications after the read from the ring, and its marker moves to the current
    /// sequence, so the fan-out continues from there. False when the ring no longer covers the read, or a format came
    /// into use during it (read again), like <see cref="TryAttach"/>.
    /// </summary>
    internal bool TryCompleteResync(long sequenceBefore, KlineFrame[]?[] stored, long nowMs)
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
            ulong inUse = FormatsInUse();
            var replay = new KlineFrame[]?[_formats.Length];
            for (int slot = 0; slot < _formats.Length; slot++)
            {
                if ((inUse & (1UL << slot)) == 0)
                {
                    continue;
                }
                if (slot >= stored.Length || stored[slot] is null)
                {
                    return false;
                }
                var frames = new KlineFrame[_sequence - sequenceBefore];
                for (long s = sequenceBefore + 1; s <= _sequence; s++)
                {
                    frames[s - sequenceBefore - 1] = _formats[slot].Serialize(Key, Symbol, _recent![s % RecentCapacity], s, nowMs, Stopwatch.GetTimestamp(), _recentPosition![s % RecentCapacity]);
                }
                replay[slot] = frames;
            }
            foreach (var subscriber in _subscribers)
            {
                foreach (var frame in stored[subscriber.FormatSlot]!)
                {
                    subscriber.Offer(frame);
                }
                foreach (var frame in replay[subscriber.FormatSlot]!)
                {
                    if (frame.Sequence > subscriber.Marker)
                    {
                        subscriber.Offer(frame);
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

    private void ClearPending()
    {
        buffer.Release(_pending.Count);
        _pending.Clear();
    }

    /// <summary>
    /// Joins a subscription whose history snapshot (newest state <paramref name="snapshotNewest"/>) was read after
    /// <paramref name="sequenceBefore"/>: the snapshot and the replay (publications after it that the snapshot may
    /// lack, serialized here in the subscription's format) go out inside the lock, so the fan-out can only add later
    /// publications after them. False when the ring no longer holds every publication since
    /// <paramref name="sequenceBefore"/> (read the snapshot again) or the topic was retired.
    /// </summary>
    internal bool TryAttach(TopicSubscription subscription, long sequenceBefore, Candle? snapshotNewest, long nowMs)
    {
        lock (_gate)
        {
            if (_removed || _sequence - sequenceBefore > RecentCapacity)
            {
                return false;
            }
            subscription.SendSnapshot();
            subscription.Remember(snapshotNewest);
            for (long s = sequenceBefore + 1; s <= _sequence; s++)
            {
                var candle = _recent![s % RecentCapacity];
                if (subscription.IsNewer(candle))
                {
                    subscription.Remember(candle);
                    subscription.Deliver(subscription.Format.Serialize(Key, Symbol, candle, s, nowMs, Stopwatch.GetTimestamp(), _recentPosition![s % RecentCapacity]));
                }
            }
            subscription.Marker = _sequence;
            subscription.FormatSlot = TakeFormat(subscription.Format);
            _subscribers = [.. _subscribers, subscription];
            return true;
        }
    }

    /// <summary>Removes a subscription; true when the topic has none left and was retired.</summary>
    internal bool Detach(TopicSubscription subscription)
    {
        lock (_gate)
        {
            int index = Array.IndexOf(_subscribers, subscription);
            if (index >= 0)
            {
                _subscribers = [.. _subscribers[..index], .. _subscribers[(index + 1)..]];
                _perFormat[subscription.FormatSlot]--;
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

    /// <summary>The slot of <paramref name="format"/>, added on its first use; counts one more subscription of it.</summary>
    private int TakeFormat(FrameFormat format)
    {
        int slot = Array.IndexOf(_formats, format);
        if (slot < 0)
        {
            if (_formats.Length == MaxFormats)
            {
                throw new InvalidOperationException($"A topic serves at most {MaxFormats} formats.");
            }
            slot = _formats.Length;
            _formats = [.. _formats, format];
            _perFormat = [.. _perFormat, 0];
        }
        _perFormat[slot]++;
        return slot;
    }

    /// <summary>Bit f set when a subscription takes the format of slot f now.</summary>
    private ulong FormatsInUse()
    {
        ulong inUse = 0;
        for (int slot = 0; slot < _perFormat.Length; slot++)
        {
            if (_perFormat[slot] > 0)
            {
                inUse |= 1UL << slot;
            }
        }
        return inUse;
    }
}
