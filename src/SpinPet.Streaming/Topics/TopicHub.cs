using System.Collections.Concurrent;
using System.Diagnostics;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using SpinPet.Core.Candles;
using SpinPet.Core.Chain;
using SpinPet.Streaming.Protocol;
using SpinPet.Streaming.Sessions;

namespace SpinPet.Streaming.Topics;

/// <summary>
/// The fan-out. The ingest publishes candle states (<see cref="Publish"/>, never waiting: a topic lock and a queue
/// write); one broadcaster loop takes each changed topic, serializes its new states once and hands the same bytes
/// to every subscriber's outbox, never awaiting a client. A topic is queued at most once however often it changes
/// (states conflate while it waits), so the broadcaster's queue is bounded by the number of subscribed topics.
/// </summary>
public sealed partial class TopicHub(ICandleHistory history, StreamingCounters counters, TimeProvider time, ILogger<TopicHub> logger)
{
    private readonly ConcurrentDictionary<TopicKey, Topic> _topics = new();
    private readonly Channel<Topic> _changed = Channel.CreateUnbounded<Topic>(new UnboundedChannelOptions { SingleReader = true });
    private readonly ConcurrentDictionary<PublicKey, long> _activity = new();

    public int TopicCount => _topics.Count;

    /// <summary>Distinct mints with at least one subscribed topic.</summary>
    public int MonitoredMints => _topics.Keys.Select(k => k.Mint).Distinct().Count();

    /// <summary>Called by the ingest after each stored batch, in chain order per topic.</summary>
    public void Publish(PublicKey mint, Interval interval, Candle candle)
    {
        _activity[mint] = candle.Time;
        if (_topics.TryGetValue(new TopicKey(mint, interval), out var topic) && topic.Publish(candle, Stopwatch.GetTimestamp()))
        {
            _changed.Writer.TryWrite(topic);
        }
    }

    /// <summary>Remembers a mint's latest activity (from storage at start) for <c>supported_symbols</c>.</summary>
    public void NoteActivity(PublicKey mint, long time) =>
        _activity.AddOrUpdate(mint, time, (_, known) => Math.Max(known, time));

    /// <summary>The most recently active mints, newest first.</summary>
    public IReadOnlyList<string> RecentSymbols(int limit) =>
        [.. _activity.OrderByDescending(a => a.Value).Take(limit).Select(a => a.Key.ToString())];

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

    private void Broadcast(Topic topic)
    {
        long nowMs = time.GetUtcNow().ToUnixTimeMilliseconds();
        var (frames, subscribers) = topic.Take(nowMs);
        foreach (var subscriber in subscribers)
        {
            foreach (var frame in frames)
            {
                if (frame.Sequence > subscriber.Marker && subscriber.IsNewer(frame.Candle))
                {
                    subscriber.Newest = frame.Candle;
                    subscriber.Session.SendCandle(subscriber, frame);
                }
            }
        }
    }

    /// <summary>
    /// Attaches a subscription: the newest <paramref name="limit"/> stored candles go out as <c>history_data</c>,
    /// then <c>subscription_confirmed</c>, then any state published while the snapshot was read, then the live
    /// stream: no gap, no state twice.
    /// </summary>
    internal Subscriber Subscribe(ClientSession session, TopicKey key, string? subscriptionId, int limit)
    {
        for (int attempt = 0; ; attempt++)
        {
            var topic = _topics.GetOrAdd(key, static k => new Topic(k));
            long before = topic.Sequence;
            var page = history.Newest(key.Mint, key.Interval, limit, before: null);
            var subscriber = new Subscriber(session, key, topic.Symbol, subscriptionId);
            bool attached = topic.TryAttach(subscriber, before, replay =>
            {
                long nowMs = time.GetUtcNow().ToUnixTimeMilliseconds();
                session.SendReply(ServerMessages.HistoryData(key, topic.Symbol, page, nowMs));
                subscriber.Newest = page.Candles.Count > 0 ? page.Candles[^1] : null;
                session.SendReply(ServerMessages.SubscriptionConfirmed(topic.Symbol, key.Interval, subscriptionId, nowMs));
                foreach (var candle in replay)
                {
                    if (subscriber.IsNewer(candle))
                    {
                        subscriber.Newest = candle;
                        session.SendCandle(subscriber, KlineFrame.Create(key, topic.Symbol, candle, 0, nowMs, Stopwatch.GetTimestamp()));
                    }
                }
            });
            if (attached)
            {
                counters.SubscriptionAdded();
                return subscriber;
            }
            counters.SnapshotRetry();
            if (attempt >= 8)
            {
                throw new InvalidOperationException($"{topic.Symbol} {key.Interval} changes faster than its history can be read");
            }
            if (topic.Removed)
            {
                _topics.TryRemove(new KeyValuePair<TopicKey, Topic>(key, topic));
            }
        }
    }

    internal void Unsubscribe(Subscriber subscriber)
    {
        if (_topics.TryGetValue(subscriber.Topic, out var topic) && topic.Detach(subscriber))
        {
            _topics.TryRemove(new KeyValuePair<TopicKey, Topic>(subscriber.Topic, topic));
        }
        counters.SubscriptionRemoved();
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Broadcasting {Symbol} failed")]
    private static partial void LogBroadcastFailed(ILogger logger, string symbol, Exception exception);
}
