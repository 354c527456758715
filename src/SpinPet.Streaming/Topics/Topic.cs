using SpinPet.Core.Candles;
using SpinPet.Streaming.Protocol;

namespace SpinPet.Streaming.Topics;

/// <summary>
/// The live state of one topic: its subscribers, the publications not yet fanned out (conflated: only the newest
/// state of a candle is kept, final states are all kept) and a short ring of recent publications that lets a new
/// subscriber join its history snapshot to the live stream without a gap.
/// </summary>
public sealed class Topic(TopicKey key)
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
                _pending.Clear();
                return false;
            }
            // Conflate: a newer state of the same candle replaces a queued realtime one (a final never is replaced).
            if (_pending.Count > 0 && _pending[^1].Candle.Time == candle.Time && !_pending[^1].Candle.IsFinal)
            {
                _pending.RemoveAt(_pending.Count - 1);
            }
            _pending.Add((candle, sequence, publishedAt));
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
    internal (KlineFrame[] Frames, Subscriber[] Subscribers) Take(long nowMs)
    {
        (Candle Candle, long Sequence, long PublishedAt)[] pending;
        Subscriber[] subscribers;
        lock (_gate)
        {
            _queued = false;
            pending = [.. _pending];
            _pending.Clear();
            subscribers = _subscribers;
        }
        var frames = new KlineFrame[pending.Length];
        for (int i = 0; i < pending.Length; i++)
        {
            frames[i] = KlineFrame.Create(Key, Symbol, pending[i].Candle, pending[i].Sequence, nowMs, pending[i].PublishedAt);
        }
        return (frames, subscribers);
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
            if (_subscribers.Length == 0)
            {
                _removed = true;
                _pending.Clear();
                return true;
            }
            return false;
        }
    }
}
