using System.Collections.Concurrent;
using System.Diagnostics;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using SpinPet.Core.Chain;
using SpinPet.Core.Stream;
using SpinPet.Streaming.Topics;

namespace SpinPet.Streaming.Events;

/// <summary>
/// The fan-out of the event stream (protocol.md, "The event stream of a mint"). The host publishes each stored event of
/// a subscribed mint (<see cref="Publish"/>, never waiting: a topic lock and a queue write) before it tells the
/// <see cref="TopicHub"/> the batch is applied; one broadcaster loop serializes each event once per format in use and
/// hands the same bytes to every subscription of that format. Positions (and the resume wait) are the candle hub's:
/// one batch, one position, whichever stream it reaches.
/// </summary>
public sealed partial class EventHub(TopicHub positions, IEventHistory history, StreamingOptions options, TimeProvider time, ILogger<EventHub> logger)
{
    /// <summary>The most events a resume replays (the protocol's largest history); further behind, the ordinary snapshot.</summary>
    public const int MaxResumeEvents = 1000;

    // A join whose storage read keeps losing the race with a mint publishing faster than it is read gives up (1003).
    private const int JoinAttempts = 8;

    private readonly ConcurrentDictionary<PublicKey, EventTopic> _topics = new();
    private readonly BroadcastBuffer _buffer = new(options.BroadcastBufferSize, new StreamingCounters());
    private readonly Channel<EventTopic> _changed = Channel.CreateUnbounded<EventTopic>(new UnboundedChannelOptions { SingleReader = true });
    private long _overruns;

    /// <summary>The newest applied batch (<see cref="TopicHub.Position"/>).</summary>
    public StreamPosition Position => positions.Position;

    /// <summary>Mints with an event stream subscribed now.</summary>
    public int TopicCount => _topics.Count;

    /// <summary>Events waiting for the broadcaster (at most <c>kline.broadcast_buffer_size</c>).</summary>
    public int PendingEvents => _buffer.Count;

    /// <summary>Subscriptions dropped because the fan-out queue was full (their clients closed with 1013).</summary>
    public long Overruns => Interlocked.Read(ref _overruns);

    /// <summary>Whether anyone subscribes to the mint's events: the host serializes an event only then.</summary>
    public bool HasSubscribers(PublicKey mint) => _topics.ContainsKey(mint);

    /// <summary>
    /// Called by the host after each stored batch, in the order applied, for each event of a mint with subscribers, with
    /// the batch's position; before <see cref="TopicHub.Applied"/> of that batch.
    /// </summary>
    public void Publish(PublicKey mint, StreamEvent streamEvent, StreamPosition position)
    {
        ArgumentNullException.ThrowIfNull(streamEvent);
        if (_topics.TryGetValue(mint, out var topic) && topic.Publish(streamEvent, Stopwatch.GetTimestamp(), position))
        {
            _changed.Writer.TryWrite(topic);
        }
    }

    /// <inheritdoc cref="TopicHub.WaitForPositionAsync"/>
    public Task<bool> WaitForPositionAsync(string epoch, long seq, TimeSpan timeout, CancellationToken ct) =>
        positions.WaitForPositionAsync(epoch, seq, timeout, ct);

    /// <summary>The broadcaster loop: runs until <paramref name="ct"/> is cancelled.</summary>
    public async Task RunAsync(CancellationToken ct)
    {
        try
        {
            await foreach (var topic in _changed.Reader.ReadAllAsync(ct))
            {
                try
                {
                    Broadcast(topic);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    LogBroadcastFailed(logger, topic.Symbol, ex);
                }
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
    }

    private void Broadcast(EventTopic topic)
    {
        var (pending, subscribers, overrun) = topic.Take();
        if (overrun)
        {
            Interlocked.Add(ref _overruns, subscribers.Length);
            LogOverrun(logger, topic.Symbol, subscribers.Length, options.BroadcastBufferSize);
            foreach (var subscriber in subscribers)
            {
                subscriber.Overrun();
            }
            return;
        }
        if (pending.Length == 0 || subscribers.Length == 0)
        {
            return;
        }
        long nowMs = time.GetUtcNow().ToUnixTimeMilliseconds();
        // One protocol or two: a short list beats a dictionary. Each event is serialized once per format in use.
        var formats = new List<(EventFrameFormat Format, EventFrame[] Frames)>(2);
        foreach (var subscriber in subscribers)
        {
            EventFrame[]? frames = null;
            foreach (var (format, made) in formats)
            {
                if (ReferenceEquals(format, subscriber.Format))
                {
                    frames = made;
                    break;
                }
            }
            if (frames is null)
            {
                frames = [.. pending.Select(p => subscriber.Format.Serialize(topic.Symbol, p.Event, p.Sequence, nowMs, p.PublishedAt, p.Position))];
                formats.Add((subscriber.Format, frames));
            }
            foreach (var frame in frames)
            {
                if (frame.Sequence > subscriber.Marker && subscriber.IsNew(frame))
                {
                    subscriber.Deliver(frame);
                }
            }
        }
    }

    /// <summary>
    /// Attaches a subscription: its snapshot (the newest <paramref name="limit"/> events, or with a matching
    /// <paramref name="resume"/> every event after its seq), then every event stored after the snapshot's position, in
    /// the order applied: no gap, no event twice. Throws when the history cannot be read.
    /// </summary>
    public void Subscribe(EventSubscription subscription, int limit, StreamPosition? resume)
    {
        ArgumentNullException.ThrowIfNull(subscription);
        for (int attempt = 0; ; attempt++)
        {
            var topic = GetOrAddTopic(subscription.Mint);
            // The position before the topic's sequence: every publication of a batch up to it is counted in that
            // sequence (the host advances the position after publishing), so the replay holds only later batches.
            var position = Position;
            long before = topic.Sequence;
            long nowMs = time.GetUtcNow().ToUnixTimeMilliseconds();
            EventPage page;
            List<EventFrame> stored;
            HashSet<ChainPosition> unpublished;
            try
            {
                page = ReadSnapshot(subscription.Mint, limit, resume, position);
                stored = page.Recovered == true ? [] : StoredAfter(subscription, position, page, nowMs);
                // Stored after the position read: their batch may still be on its way to the topic.
                unpublished = [.. page.Events.Where(e => e.Seq > position.Seq).Select(e => e.Position),
                    .. stored.Select(f => f.Event.Position)];
            }
            catch
            {
                // The topic may have been created for this subscription alone: it must not outlive it.
                if (topic.RemoveIfUnused())
                {
                    RemoveTopic(topic);
                }
                throw;
            }
            subscription.PrepareSnapshot(page, nowMs);
            if (topic.TryAttach(subscription, before, stored, unpublished, nowMs))
            {
                return;
            }
            if (attempt >= JoinAttempts)
            {
                if (topic.RemoveIfUnused())
                {
                    RemoveTopic(topic);
                }
                throw new InvalidOperationException($"{topic.Symbol}'s events come faster than their history can be read");
            }
            if (topic.Removed)
            {
                RemoveTopic(topic);
            }
        }
    }

    /// <summary>Ends a subscription: its topic drops it (and is retired with its last one).</summary>
    public void Unsubscribe(EventSubscription subscription)
    {
        ArgumentNullException.ThrowIfNull(subscription);
        if (_topics.TryGetValue(subscription.Mint, out var topic) && topic.Detach(subscription))
        {
            RemoveTopic(topic);
        }
    }

    private EventPage ReadSnapshot(PublicKey mint, int limit, StreamPosition? resume, StreamPosition position)
    {
        if (resume is { } from && from.Epoch == position.Epoch && from.Seq <= position.Seq
            && history.After(mint, from.Seq, MaxResumeEvents) is { } changed)
        {
            return changed with { Position = position, Recovered = true };
        }
        return history.Newest(mint, limit) with { Position = position, Recovered = resume is null ? null : false };
    }

    /// <summary>
    /// Events stored by batches after <paramref name="position"/> that the snapshot lacks (usually none). The batch being
    /// fanned out while the topic was created may have passed this mint by (the host publishes only to mints with a
    /// topic), so what the snapshot's position does not cover is read here, with each event's own position.
    /// </summary>
    private List<EventFrame> StoredAfter(EventSubscription subscription, StreamPosition position, EventPage page, long nowMs)
    {
        var after = history.After(subscription.Mint, position.Seq, MaxResumeEvents)
            ?? throw new InvalidOperationException($"more than {MaxResumeEvents} events of {subscription.Symbol} were stored during its history read");
        var frames = new List<EventFrame>();
        if (after.Events.Count == 0)
        {
            return frames;
        }
        HashSet<ChainPosition> inSnapshot = [.. page.Events.Select(e => e.Position)];
        foreach (var streamEvent in after.Events)
        {
            if (!inSnapshot.Contains(streamEvent.Position))
            {
                frames.Add(subscription.Format.Serialize(subscription.Symbol, streamEvent, 0, nowMs, Stopwatch.GetTimestamp(),
                    new StreamPosition(position.Epoch, streamEvent.Seq)));
            }
        }
        return frames;
    }

    private EventTopic GetOrAddTopic(PublicKey mint)
    {
        while (true)
        {
            if (_topics.TryGetValue(mint, out var topic))
            {
                return topic;
            }
            topic = new EventTopic(mint, _buffer);
            if (_topics.TryAdd(mint, topic))
            {
                return topic;
            }
        }
    }

    private void RemoveTopic(EventTopic topic) => _topics.TryRemove(new KeyValuePair<PublicKey, EventTopic>(topic.Mint, topic));

    [LoggerMessage(Level = LogLevel.Warning, Message = "Event stream of {Symbol}: the fan-out queue (kline.broadcast_buffer_size = {Bound}) was full; {Subscribers} subscriptions dropped (clients closed with 1013, they resume from their seq)")]
    private static partial void LogOverrun(ILogger logger, string symbol, int subscribers, int bound);

    [LoggerMessage(Level = LogLevel.Error, Message = "Broadcasting the events of {Symbol} failed")]
    private static partial void LogBroadcastFailed(ILogger logger, string symbol, Exception exception);
}
