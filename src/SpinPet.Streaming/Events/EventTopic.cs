using SpinPet.Core.Chain;
using SpinPet.Core.Stream;
using SpinPet.Streaming.Topics;

namespace SpinPet.Streaming.Events;

/// <summary>
/// The live state of one mint's event stream: its subscriptions, the events not yet fanned out (never conflated: each
/// holds a slot of the shared <see cref="BroadcastBuffer"/>) and a ring of recent publications that lets a new
/// subscription join its snapshot to the live stream without a gap or a duplicate (<see cref="TryAttach"/>).
/// </summary>
/// <remarks>
/// A publication that finds the buffer full never waits and never leaves a hole silently: the topic drops what waits
/// and turns <em>overrun</em>; the broadcaster then hands every current subscription <see cref="EventSubscription.Overrun"/>
/// (its client is closed and resumes from its last seq) and the topic carries on with the subscriptions that join later.
/// </remarks>
internal sealed class EventTopic(PublicKey mint, BroadcastBuffer buffer)
{
    // Publications during one join's storage read (about a millisecond); a mint with more than this many events in
    // that window makes the subscriber read again, nothing is lost.
    private const int RecentCapacity = 256;

    private readonly Lock _gate = new();
    private readonly List<Published> _pending = [];
    private Published[]? _recent;
    private long _sequence;
    private EventSubscription[] _subscribers = [];
    private bool _queued;
    private bool _removed;
    private bool _overrun;

    public PublicKey Mint { get; } = mint;

    public string Symbol { get; } = mint.ToString();

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

    /// <summary>Records a newly stored event; true when the topic must be queued for the broadcaster.</summary>
    internal bool Publish(StreamEvent streamEvent, long publishedAt, StreamPosition position)
    {
        lock (_gate)
        {
            var published = new Published(streamEvent, ++_sequence, publishedAt, position);
            _recent ??= new Published[RecentCapacity];
            _recent[published.Sequence % RecentCapacity] = published;
            if (_subscribers.Length == 0)
            {
                ClearPending();
                return false;
            }
            if (_overrun)
            {
                // Every subscription it has now is dropped by the broadcaster; later ones join from the ring or storage.
                return false;
            }
            if (buffer.TryTake())
            {
                _pending.Add(published);
            }
            else
            {
                ClearPending();
                _overrun = true;
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
    /// The broadcaster takes what is pending and the subscriptions to send it to; after an overrun, the subscriptions
    /// to drop instead (they are detached here, so nothing more reaches them).
    /// </summary>
    internal (Published[] Pending, EventSubscription[] Subscribers, bool Overrun) Take()
    {
        lock (_gate)
        {
            _queued = false;
            if (_overrun)
            {
                _overrun = false;
                var dropped = _subscribers;
                _subscribers = [];
                return ([], dropped, true);
            }
            Published[] pending = [.. _pending];
            buffer.Release(_pending.Count);
            _pending.Clear();
            return (pending, _subscribers, false);
        }
    }

    /// <summary>
    /// Attaches a subscription whose snapshot was read after publication <paramref name="sequenceBefore"/>: queues the
    /// snapshot, then <paramref name="stored"/> (events stored after the snapshot's position that the snapshot lacks),
    /// then every later publication not in <paramref name="unpublished"/> (the events sent by the join that were stored
    /// after its position: only those can be published after <paramref name="sequenceBefore"/>), so the broadcaster can
    /// take over from the current publication; it too skips those (<see cref="EventSubscription.IsNew"/>). False (read
    /// again) when the ring no longer holds everything published since, or the topic was retired.
    /// </summary>
    internal bool TryAttach(EventSubscription subscription, long sequenceBefore, IReadOnlyList<EventFrame> stored, HashSet<ChainPosition> unpublished, long nowMs)
    {
        lock (_gate)
        {
            if (_removed || _sequence - sequenceBefore > RecentCapacity)
            {
                return false;
            }
            subscription.Unpublished = unpublished.Count > 0 ? unpublished : null;
            subscription.SendSnapshot();
            foreach (var frame in stored)
            {
                subscription.Deliver(frame);
            }
            for (long s = sequenceBefore + 1; s <= _sequence; s++)
            {
                var published = _recent![s % RecentCapacity];
                if (subscription.Unpublished is not { } sent || !sent.Remove(published.Event.Position))
                {
                    subscription.Deliver(subscription.Format.Serialize(Symbol, published.Event, s, nowMs, published.PublishedAt, published.Position));
                }
            }
            subscription.Marker = _sequence;
            _subscribers = [.. _subscribers, subscription];
            return true;
        }
    }

    /// <summary>Removes a subscription; true when the topic has none left and was retired.</summary>
    internal bool Detach(EventSubscription subscription)
    {
        lock (_gate)
        {
            int index = Array.IndexOf(_subscribers, subscription);
            if (index >= 0)
            {
                _subscribers = [.. _subscribers[..index], .. _subscribers[(index + 1)..]];
            }
            return RemoveIfUnusedLocked();
        }
    }

    /// <summary>Marks the topic removed when nobody is attached; true then, and the caller takes it out of the hub.</summary>
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

    private void ClearPending()
    {
        buffer.Release(_pending.Count);
        _pending.Clear();
    }

    /// <summary>One publication: the event, its number in the topic, when and by which batch it was published.</summary>
    internal readonly record struct Published(StreamEvent Event, long Sequence, long PublishedAt, StreamPosition Position);
}
