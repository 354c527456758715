using System.Diagnostics;
using SpinPet.Core.Chain;
using SpinPet.SocketIO.Namespaces;
using SpinPet.Streaming.Protocol;
using SpinPet.Streaming.Sessions;
using SpinPet.Streaming.Topics;

namespace SpinPet.Server.SocketIO;

/// <summary>
/// One Socket.IO client of <c>/kline</c> (kept in <see cref="SocketIOSocket.State"/>): its subscriptions by topic.
/// The namespace handler's calls for one socket never overlap, but the disconnect may race a subscribe that is
/// attaching, so the table is locked and closed once. Its subscriptions are counted in
/// <see cref="KlineClients.Subscriptions"/> as they are kept and dropped.
/// </summary>
internal sealed class KlineClient(SocketIOSocket socket, KlineClients registry)
{
    private readonly Dictionary<TopicKey, SocketIOKlineSubscription> _subscriptions = [];

    // Event streams by mint, under the same lock; counted with the topics against kline.max_subscriptions_per_client.
    private readonly Dictionary<PublicKey, SocketIOEventSubscription> _streams = [];
    private bool _closed;

    public SocketIOSocket Socket { get; } = socket;

    /// <summary>Stopwatch timestamp of the namespace connection (the admin route's <c>connection_duration_seconds</c>).</summary>
    public long ConnectedAt { get; } = Stopwatch.GetTimestamp();

    /// <summary>The packets this client was given (the admin route's <c>message_stats</c>).</summary>
    public SentMessageCounts Sent { get; } = new();

    /// <summary>A copy of the current subscriptions (for the admin route).</summary>
    public IReadOnlyList<SocketIOKlineSubscription> Subscriptions
    {
        get
        {
            lock (_subscriptions)
            {
                return [.. _subscriptions.Values];
            }
        }
    }

    /// <summary>The subscription count before adding <paramref name="topic"/> would reach <paramref name="max"/>.</summary>
    public bool IsFull(TopicKey topic, int max)
    {
        lock (_subscriptions)
        {
            return !_subscriptions.ContainsKey(topic) && _subscriptions.Count + _streams.Count >= max;
        }
    }

    /// <summary>Keeps <paramref name="subscription"/>; false when the client has already gone (the caller ends it).</summary>
    public bool TryAdd(SocketIOKlineSubscription subscription)
    {
        lock (_subscriptions)
        {
            if (_closed)
            {
                return false;
            }
            if (_subscriptions.TryAdd(subscription.Topic, subscription))
            {
                registry.Subscriptions.Add(1);
            }
            else
            {
                _subscriptions[subscription.Topic] = subscription;
            }
            return true;
        }
    }

    /// <summary>Like <see cref="IsFull(TopicKey, int)"/> for the event stream of <paramref name="mint"/>.</summary>
    public bool IsFull(PublicKey mint, int max)
    {
        lock (_subscriptions)
        {
            return !_streams.ContainsKey(mint) && _subscriptions.Count + _streams.Count >= max;
        }
    }

    /// <summary>Keeps an event stream; false when the client has already gone (the caller ends it).</summary>
    public bool TryAdd(SocketIOEventSubscription stream)
    {
        lock (_subscriptions)
        {
            if (_closed)
            {
                return false;
            }
            _streams[stream.Mint] = stream;
            return true;
        }
    }

    public SocketIOEventSubscription? Remove(PublicKey mint)
    {
        lock (_subscriptions)
        {
            _streams.Remove(mint, out var stream);
            return stream;
        }
    }

    public SocketIOKlineSubscription? Remove(TopicKey topic)
    {
        lock (_subscriptions)
        {
            if (_subscriptions.Remove(topic, out var subscription))
            {
                registry.Subscriptions.Add(-1);
            }
            return subscription;
        }
    }

    /// <summary>Every subscription and event stream, once: later <c>TryAdd</c> calls fail.</summary>
    public (SocketIOKlineSubscription[] Topics, SocketIOEventSubscription[] Streams) Close()
    {
        lock (_subscriptions)
        {
            _closed = true;
            SocketIOKlineSubscription[] all = [.. _subscriptions.Values];
            registry.Subscriptions.Add(-all.Length);
            SocketIOEventSubscription[] streams = [.. _streams.Values];
            _subscriptions.Clear();
            _streams.Clear();
            return (all, streams);
        }
    }

    /// <summary>
    /// Sends a request's answer: as the acknowledgement when the client asked for one (socketio.md: "answered with
    /// the same payload the event would get"), else as the event.
    /// </summary>
    public static void Reply(SocketIOSocket socket, string eventName, byte[] payload, long? ackId)
    {
        bool queued = ackId is long id ? socket.TryAck(id, payload) : socket.TryEmit(eventName, payload);
        if (queued && socket.State is KlineClient client)
        {
            if (eventName == "history_data")
            {
                client.Sent.AddHistoryData();
            }
            else
            {
                client.Sent.AddOther();
            }
        }
    }

    public void Reply(string eventName, byte[] payload, long? ackId) => Reply(Socket, eventName, payload, ackId);

    public void Error(ErrorCode code, string message, long? ackId) => Reply("error", KlinePayloads.Error(code, message), ackId);
}
