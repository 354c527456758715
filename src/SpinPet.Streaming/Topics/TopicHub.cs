using System.Collections.Concurrent;
using System.Diagnostics;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using SpinPet.Core.Candles;
using SpinPet.Core.Chain;
using SpinPet.Core.Stream;

namespace SpinPet.Streaming.Topics;

/// <summary>
/// The fan-out. The ingest publishes candle states (<see cref="Publish"/>, never waiting: a topic lock and a queue
/// write); one broadcaster loop takes each changed topic, serializes its new states once per format in use and hands
/// the same bytes to every subscription of that format (<see cref="TopicSubscription.Deliver"/>), never awaiting a
/// client. A topic is queued at most once however often it changes
/// (states conflate while it waits), so the broadcaster's queue holds at most one entry per subscribed topic, and the
/// states waiting in those topics are bounded by <see cref="StreamingOptions.BroadcastBufferSize"/>
/// (<see cref="BroadcastBuffer"/>): past it a topic drops its waiting states and is resynchronized from storage.
/// </summary>
public sealed partial class TopicHub(ICandleHistory history, StreamingOptions options, StreamingCounters counters, TimeProvider time, ILogger<TopicHub> logger)
{
    // From this many subscribers a topic's fan-out is split over the cores: one thread writing to 10,000 sockets
    // was the limit of fanout-hot (77k → 110k frames/s, p99 255 → 135 ms at 100 trades/s in one A/B run,
    // docs/benchmarks.md); for small topics a split would cost more in hand-offs than the sends it spreads.
    private const int ParallelFanoutSubscribers = 1024;


    // Stored candles per read while resynchronizing a topic (the protocol's largest history page).
    private const int ResyncPage = 1000;

    // A resync that keeps losing the race with a topic publishing faster than storage is read is retried later.
    private const int ResyncAttempts = 8;

    private readonly ConcurrentDictionary<TopicKey, Topic> _topics = new();
    private readonly BroadcastBuffer _buffer = new(options.BroadcastBufferSize, counters);
    private long _resyncsLogged;
    private long _droppedLogged;
    private long _lastOverflowLog;
    private readonly Channel<Topic> _changed = Channel.CreateUnbounded<Topic>(new UnboundedChannelOptions { SingleReader = true });
    private readonly RecentMints _recent = new(options.SupportedSymbolsLimit, options.Intervals);
    private readonly AppliedPosition _applied = new();

    // The broadcaster's round and the topics taken for it; only its loop touches them.
    private readonly DeliveryRound _round = new();
    private readonly List<(Topic Topic, KlineFrame[]?[] Frames, TopicSubscription[] Subscribers)> _roundTopics = [];

    // Every price event updates every interval's candle; the finest interval's times are the activity times.
    private readonly long _finestSeconds = options.Intervals.Min(i => i.Seconds);

    // Topics per mint, changed only when a topic enters or leaves the hub (subscribe and unsubscribe, never per
    // frame), so the status route reads a count instead of walking every topic.
    private readonly Dictionary<PublicKey, int> _topicsPerMint = [];
    private int _topicCount;
    private int _monitoredMints;

    /// <summary>Topics with subscribers (or being subscribed); a maintained count, no lock.</summary>
    public int TopicCount => Volatile.Read(ref _topicCount);

    /// <summary>Candle states waiting for the broadcaster (at most <see cref="StreamingOptions.BroadcastBufferSize"/>).</summary>
    public int PendingStates => _buffer.Count;

    /// <summary>Distinct mints with at least one subscribed topic; a maintained count, no lock.</summary>
    public int MonitoredMints => Volatile.Read(ref _monitoredMints);

    /// <summary>
    /// The newest applied batch the hub has heard of (<see cref="Applied"/>): what a snapshot read now reflects at
    /// least, and the position of a push that no batch produced. Default (no epoch) before the host sets it.
    /// </summary>
    public StreamPosition Position => _applied.Current;

    /// <summary>
    /// Records that the batch at <paramref name="position"/> is applied and its candles published (call it after
    /// them; the host sets the stored position at start too). Moves only forward within an epoch.
    /// </summary>
    public void Applied(StreamPosition position) => _applied.Advance(position);

    /// <summary>
    /// Waits, without holding a thread, until the hub has applied <paramref name="seq"/> of <paramref name="epoch"/>
    /// (a resuming client ahead of this node); false when the epoch differs or <paramref name="timeout"/> passes.
    /// </summary>
    public Task<bool> WaitForPositionAsync(string epoch, long seq, TimeSpan timeout, CancellationToken ct) =>
        _applied.WaitForAsync(epoch, seq, timeout, time, ct);

    /// <summary>A candle state no batch produced (it carries the newest applied position, <see cref="Position"/>).</summary>
    public void Publish(PublicKey mint, Interval interval, Candle candle) => Publish(mint, interval, candle, Position);

    /// <summary>Called by the ingest after each stored batch, in chain order per topic, with the batch's position.</summary>
    public void Publish(PublicKey mint, Interval interval, Candle candle, StreamPosition position)
    {
        if (interval.Seconds == _finestSeconds)
        {
            _recent.Note(mint, candle.Time);
        }
        if (_topics.TryGetValue(new TopicKey(mint, interval), out var topic) && topic.Publish(candle, Stopwatch.GetTimestamp(), position))
        {
            _changed.Writer.TryWrite(topic);
        }
    }

    /// <summary>Remembers a mint's latest activity (from storage at start) for <c>supported_symbols</c>.</summary>
    public void NoteActivity(PublicKey mint, long time) => _recent.Note(mint, time);

    /// <summary>The most recently active mints, newest first (at most <paramref name="limit"/> and <c>kline.supported_symbols_limit</c>).</summary>
    public IReadOnlyList<string> RecentSymbols(int limit) => [.. _recent.Symbols().Take(limit)];

    /// <summary>
    /// The shared end of every <c>connection_success</c> (the recent mints and the intervals) after a connection's own
    /// head (the frame's piece; its prefix is empty), rebuilt only when the list changes.
    /// </summary>
    public SharedFrame GreetingTail() => _recent.GreetingTail();

    /// <summary>The broadcaster loop: runs until <paramref name="ct"/> is cancelled.</summary>
    public async Task RunAsync(CancellationToken ct)
    {
        var reader = _changed.Reader;
        try
        {
            while (await reader.WaitToReadAsync(ct))
            {
                BroadcastRound(reader);
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
    }

    /// <summary>
    /// Brings a stale topic's subscribers up to date from storage: every published state is stored before it is
    /// published, so reading the stored candles from the oldest state any subscriber has, then replaying what was
    /// published during the read, loses nothing and (with <see cref="TopicSubscription.IsNewer"/>) repeats nothing.
    /// </summary>
    private void Resync(Topic topic, long nowMs)
    {
        for (int attempt = 0; attempt < ResyncAttempts; attempt++)
        {
            // Read before the topic's sequence (like a join's): the stored states reflect at least this batch, and
            // every state the read may lack is replayed with its own, later position.
            var position = Position;
            var (before, from, formats, inUse) = topic.StartResync();
            var candles = new List<Candle>();
            while (true)
            {
                var page = history.From(topic.Key.Mint, topic.Key.Interval, from, ResyncPage);
                candles.AddRange(page.Candles);
                if (!page.HasMore || page.Candles.Count == 0)
                {
                    break;
                }
                from = page.Candles[^1].Time + 1;
            }
            var stored = new KlineFrame[]?[formats.Length];
            for (int slot = 0; slot < formats.Length; slot++)
            {
                if ((inUse & (1UL << slot)) != 0)
                {
                    stored[slot] = [.. candles.Select(candle => formats[slot].Serialize(topic.Key, topic.Symbol, candle, 0, nowMs, Stopwatch.GetTimestamp(), position))];
                }
            }
            if (topic.TryCompleteResync(before, stored, nowMs))
            {
                counters.BroadcastResyncs.Add(1);
                LogOverflowOncePerSecond();
                return;
            }
        }
        if (topic.Requeue())
        {
            _changed.Writer.TryWrite(topic);
        }
    }

    private void LogOverflowOncePerSecond()
    {
        long now = Environment.TickCount64;
        if (now - _lastOverflowLog < 1000)
        {
            return;
        }
        _lastOverflowLog = now;
        long resyncs = counters.BroadcastResyncs.Value, dropped = counters.BroadcastDroppedUpdates.Value;
        LogBroadcastOverflow(logger, options.BroadcastBufferSize, dropped - _droppedLogged, resyncs - _resyncsLogged, dropped, resyncs);
        _resyncsLogged = resyncs;
        _droppedLogged = dropped;
    }

    /// <summary>
    /// Attaches a subscription: the newest <paramref name="limit"/> stored candles go out as its snapshot (for
    /// <c>/ws</c>: <c>history_data</c>, then <c>subscription_confirmed</c>), then any state published while the
    /// snapshot was read, then the live stream: no gap, no state twice. Throws when the history cannot be read.
    /// </summary>
    public void Subscribe(TopicSubscription subscription, int limit) => Subscribe(subscription, limit, resume: null);

    /// <summary>
    /// <see cref="Subscribe(TopicSubscription, int)"/> for a client that may resume from <paramref name="resume"/>
    /// (protocol.md, "Position and resume"): when its epoch is the hub's and the hub has applied its seq, the snapshot
    /// holds only the candles changed since (<see cref="HistoryPage.Recovered"/> true), else the ordinary one (false).
    /// Either way the snapshot carries the position read before it, which it reflects at least.
    /// </summary>
    public void Subscribe(TopicSubscription subscription, int limit, StreamPosition? resume)
    {
        ArgumentNullException.ThrowIfNull(subscription);
        var key = subscription.Topic;
        for (int attempt = 0; ; attempt++)
        {
            var topic = GetOrAddTopic(key);
            // The position before the topic's sequence: every publication of a batch up to it is counted in that
            // sequence (the host advances the position after publishing), so the replay holds only later batches.
            var position = Position;
            long before = topic.Sequence;
            HistoryPage page;
            try
            {
                page = ReadSnapshot(key, limit, resume, position);
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
            // Serialized before the topic's lock (up to 1,000 candles, up to 272 KB of JSON), which the ingest's Publish of
            // this topic waits for; only the queueing, which fixes the order against the replay, happens inside.
            long nowMs = time.GetUtcNow().ToUnixTimeMilliseconds();
            subscription.PrepareSnapshot(page, nowMs);
            if (topic.TryAttach(subscription, before, page.Candles.Count > 0 ? page.Candles[^1] : null, nowMs))
            {
                counters.Subscriptions.Add(1);
                return;
            }
            if (attempt >= 8)
            {
                throw new InvalidOperationException($"{topic.Symbol} {key.Interval} changes faster than its history can be read");
            }
            if (topic.Removed)
            {
                RemoveTopic(topic);
            }
        }
    }

    private HistoryPage ReadSnapshot(TopicKey key, int limit, StreamPosition? resume, StreamPosition position)
    {
        if (resume is { } from && from.Epoch == position.Epoch && from.Seq <= position.Seq
            && history.ChangedSince(key.Mint, key.Interval, from.Seq, ResyncPage) is { } changed)
        {
            return changed with { Position = position, Recovered = true };
        }
        return history.Newest(key.Mint, key.Interval, limit, before: null) with { Position = position, Recovered = resume is null ? null : false };
    }

    /// <summary>
    /// Ends a subscription: its topic drops it (and is retired with its last one). A broadcast already under way may
    /// still hand it a frame, so its owner ignores frames once it has ended it.
    /// </summary>
    public void Unsubscribe(TopicSubscription subscription)
    {
        ArgumentNullException.ThrowIfNull(subscription);
        if (_topics.TryGetValue(subscription.Topic, out var topic) && topic.Detach(subscription))
        {
            RemoveTopic(topic);
        }
        counters.Subscriptions.Add(-1);
    }

    private Topic GetOrAddTopic(TopicKey key)
    {
        while (true)
        {
            if (_topics.TryGetValue(key, out var topic))
            {
                return topic;
            }
            topic = new Topic(key, _buffer);
            if (_topics.TryAdd(key, topic))
            {
                CountTopic(key.Mint, +1);
                return topic;
            }
        }
    }

    private void RemoveTopic(Topic topic)
    {
        if (_topics.TryRemove(new KeyValuePair<TopicKey, Topic>(topic.Key, topic)))
        {
            CountTopic(topic.Key.Mint, -1);
        }
    }

    private void CountTopic(PublicKey mint, int change)
    {
        lock (_topicsPerMint)
        {
            int topics = _topicsPerMint.GetValueOrDefault(mint) + change;
            if (topics == 0)
            {
                _topicsPerMint.Remove(mint);
                _monitoredMints--;
            }
            else
            {
                if (topics == 1 && change > 0)
                {
                    _monitoredMints++;
                }
                _topicsPerMint[mint] = topics;
            }
            _topicCount += change;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Fan-out queue full (kline.broadcast_buffer_size = {Bound} states): {Dropped} states dropped and {Resyncs} topics resynchronized from storage since the last report; {TotalDropped} and {TotalResyncs} since start")]
    private static partial void LogBroadcastOverflow(ILogger logger, int bound, long dropped, long resyncs, long totalDropped, long totalResyncs);

    [LoggerMessage(Level = LogLevel.Error, Message = "Broadcasting {Symbol} failed")]
    private static partial void LogBroadcastFailed(ILogger logger, string symbol, Exception exception);
}
