using SpinPet.SocketIO;
using SpinPet.SocketIO.Namespaces;
using SpinPet.Streaming;
using SpinPet.Streaming.Events;
using SpinPet.Streaming.Protocol;
using SpinPet.Streaming.Topics;

namespace SpinPet.Server.SocketIO;

/// <summary>
/// The <c>/kline</c> namespace (socketio.md): the same topics, history, validation and limits as <c>/ws</c>, through
/// the same hub. Each request is an event named like <c>/ws</c>'s <c>msg_type</c> whose argument is the rest of the
/// <c>/ws</c> request; each answer is the <c>data</c> object of <c>/ws</c>'s answer (<see cref="KlinePayloads"/>).
/// Nothing here waits for a client: every reply is queued in the session's bounded outbox.
/// </summary>
internal sealed partial class KlineNamespace(TopicHub hub, EventHub events, ICandleHistory history, StreamingOptions options, KlineClients clients,
    TimeProvider time,
    ILogger<KlineNamespace> logger) : ISocketIONamespaceHandler
{
    private const string Served = "subscribe, unsubscribe, history, subscribe_events, unsubscribe_events";

    public ValueTask OnConnectAsync(SocketIOSocket socket, ReadOnlyMemory<byte> auth, CancellationToken ct)
    {
        var client = new KlineClient(socket, clients);
        socket.State = client;
        clients.Add(client);
        long nowSeconds = time.GetUtcNow().ToUnixTimeSeconds();
        // Only the head is this client's: the symbol list is serialized once for every greeting until it changes.
        client.Reply("connection_success", KlinePayloads.ConnectionSuccess(socket.Id, nowSeconds, hub.GreetingTail()), ackId: null);
        return default;
    }

    public ValueTask OnEventAsync(SocketIOSocket socket, SocketIOEvent received, CancellationToken ct)
    {
        var client = (KlineClient)socket.State!;
        RequestKind? kind = received.Name switch
        {
            "subscribe" => RequestKind.Subscribe,
            "unsubscribe" => RequestKind.Unsubscribe,
            "history" => RequestKind.History,
            "subscribe_events" => RequestKind.SubscribeEvents,
            "unsubscribe_events" => RequestKind.UnsubscribeEvents,
            _ => null,
        };
        if (kind is null)
        {
            client.Error(ErrorCode.InvalidRequest, $"Unknown event: {Shorten(received.Name)}, must be one of: {Served}", received.AckId);
            return default;
        }
        // The earlier server dropped a malformed payload silently; socketio.md answers it with 1001.
        string? error = null;
        var request = received.Argument.IsEmpty ? null : ClientRequest.TryParse(received.Argument.Span, kind, out error);
        if (request is null)
        {
            client.Error(ErrorCode.InvalidRequest, error ?? "Malformed request: expected a JSON object argument", received.AckId);
            return default;
        }
        switch (request.Kind)
        {
            case RequestKind.Subscribe:
                Subscribe(client, request, received.AckId);
                break;
            case RequestKind.Unsubscribe:
                Unsubscribe(client, request, received.AckId);
                break;
            case RequestKind.SubscribeEvents:
                SubscribeEvents(client, request, received.AckId);
                break;
            case RequestKind.UnsubscribeEvents:
                UnsubscribeEvents(client, request, received.AckId);
                break;
            default:
                History(client, request, received.AckId);
                break;
        }
        return default;
    }

    public ValueTask OnRejectedAsync(SocketIOSocket socket, SocketIORejection rejection, long? ackId, CancellationToken ct)
    {
        var (code, message) = rejection switch
        {
            SocketIORejection.RateLimited => (ErrorCode.RateLimited, "Rate limited: the message was dropped"),
            SocketIORejection.TooLarge => (ErrorCode.MessageTooLarge, "Message too large"),
            SocketIORejection.BinaryNotSupported => (ErrorCode.InvalidRequest, "Invalid request: binary events are not served"),
            _ => (ErrorCode.InvalidRequest, "Malformed request: an event is a JSON array starting with its name"),
        };
        ((KlineClient)socket.State!).Error(code, message, ackId);
        return default;
    }

    public void OnDisconnect(SocketIOSocket socket, SocketIODisconnectReason reason)
    {
        if (socket.State is KlineClient client)
        {
            clients.Remove(client);
            var (topics, streams) = client.Close();
            foreach (var subscription in topics)
            {
                End(subscription);
            }
            foreach (var stream in streams)
            {
                End(stream);
            }
        }
    }

    private void Subscribe(KlineClient client, ClientRequest request, long? ackId)
    {
        if (!TryTopic(client, request, ackId, out var topic, out int limit))
        {
            return;
        }
        if (client.IsFull(topic, options.MaxSubscriptionsPerClient))
        {
            client.Error(ErrorCode.SubscriptionRefused, $"Subscription refused: at most {options.MaxSubscriptionsPerClient} subscriptions per connection", ackId);
            return;
        }
        try
        {
            // Subscribing again replaces the subscription (counted once); the old one ends before the new history
            // is queued, so no frame with the old subscription_id follows it.
            End(client.Remove(topic));
            var subscription = new SocketIOKlineSubscription(client.Socket, topic, request.SubscriptionId, ackId);
            hub.Subscribe(subscription, limit);
            if (!client.TryAdd(subscription))
            {
                // The client left while this subscription was attaching (its disconnect did not see it).
                End(subscription);
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogHistoryFailed(logger, request.Symbol!, ex);
            client.Error(ErrorCode.HistoryFailed, "History query failed: " + ex.Message, ackId);
        }
    }

    private void Unsubscribe(KlineClient client, ClientRequest request, long? ackId)
    {
        if (!RequestChecks.TryTopic(request, options.Intervals, out var topic, out var error))
        {
            client.Error(ErrorCode.InvalidRequest, error, ackId);
            return;
        }
        // Ended before the confirmation is queued: no kline_data of this subscription follows it.
        var subscription = client.Remove(topic);
        End(subscription);
        var confirmed = ServerMessages.UnsubscribeConfirmed(topic.Mint.ToString(), topic.Interval,
            request.SubscriptionId ?? subscription?.SubscriptionId, subscription is not null, NowMs());
        client.Reply("unsubscribe_confirmed", KlinePayloads.DataOf(confirmed), ackId);
    }

    /// <summary>
    /// <c>subscribe_events</c>: <c>/ws</c>'s validation, counting and join (the mint's event stream); a resume ahead of
    /// this node is not waited for here (the namespace's calls do not wait): it gets the ordinary snapshot.
    /// </summary>
    private void SubscribeEvents(KlineClient client, ClientRequest request, long? ackId)
    {
        if (!RequestChecks.TryMint(request, out var mint, out var error)
            || !RequestChecks.TryLimit(request, RequestChecks.DefaultEventLimit, out int limit, out error))
        {
            client.Error(ErrorCode.InvalidRequest, error, ackId);
            return;
        }
        if (client.IsFull(mint, options.MaxSubscriptionsPerClient))
        {
            client.Error(ErrorCode.SubscriptionRefused, $"Subscription refused: at most {options.MaxSubscriptionsPerClient} subscriptions per connection", ackId);
            return;
        }
        try
        {
            End(client.Remove(mint));
            var stream = new SocketIOEventSubscription(client.Socket, mint, request.SubscriptionId, ackId);
            events.Subscribe(stream, limit, request.Resume);
            if (!client.TryAdd(stream))
            {
                End(stream);
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogHistoryFailed(logger, request.Symbol!, ex);
            client.Error(ErrorCode.HistoryFailed, "History query failed: " + ex.Message, ackId);
        }
    }

    private void UnsubscribeEvents(KlineClient client, ClientRequest request, long? ackId)
    {
        if (!RequestChecks.TryMint(request, out var mint, out var error))
        {
            client.Error(ErrorCode.InvalidRequest, error, ackId);
            return;
        }
        // Ended before the confirmation is queued: no event_data of this stream follows it.
        var stream = client.Remove(mint);
        End(stream);
        var confirmed = ServerMessages.EventUnsubscribeConfirmed(mint.ToString(), request.SubscriptionId ?? stream?.SubscriptionId, stream is not null, NowMs());
        client.Reply("unsubscribe_confirmed", KlinePayloads.DataOf(confirmed), ackId);
    }

    private void End(SocketIOEventSubscription? stream)
    {
        if (stream is not null)
        {
            stream.End();
            events.Unsubscribe(stream);
        }
    }

    private void History(KlineClient client, ClientRequest request, long? ackId)
    {
        if (!TryTopic(client, request, ackId, out var topic, out int limit))
        {
            return;
        }
        if (!RequestChecks.TryHistoryRange(request, out var error))
        {
            client.Error(ErrorCode.InvalidRequest, error, ackId);
            return;
        }
        try
        {
            var page = RequestChecks.Read(history, request, topic, limit);
            client.Reply("history_data", KlinePayloads.HistoryData(topic, topic.Mint.ToString(), page, NowMs()), ackId);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogHistoryFailed(logger, request.Symbol!, ex);
            client.Error(ErrorCode.HistoryFailed, "History query failed: " + ex.Message, ackId);
        }
    }

    private bool TryTopic(KlineClient client, ClientRequest request, long? ackId, out TopicKey topic, out int limit)
    {
        limit = 0;
        if (!RequestChecks.TryTopic(request, options.Intervals, out topic, out var error)
            || !RequestChecks.TryLimit(request, options.HistoryDataLimit, out limit, out error))
        {
            client.Error(ErrorCode.InvalidRequest, error, ackId);
            return false;
        }
        return true;
    }

    private void End(SocketIOKlineSubscription? subscription)
    {
        if (subscription is not null)
        {
            subscription.End();
            hub.Unsubscribe(subscription);
        }
    }

    private long NowMs() => time.GetUtcNow().ToUnixTimeMilliseconds();

    private static string Shorten(string text) => text.Length <= 32 ? text : text[..32] + "…";

    [LoggerMessage(Level = LogLevel.Warning, Message = "Socket.IO history query failed for {Symbol}")]
    private static partial void LogHistoryFailed(ILogger logger, string symbol, Exception exception);
}
