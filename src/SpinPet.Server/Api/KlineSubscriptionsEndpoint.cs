using System.Diagnostics;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using SpinPet.Server.Configuration;
using SpinPet.Server.SocketIO;
using SpinPet.Streaming.Sessions;

namespace SpinPet.Server.Api;

/// <summary>
/// <c>GET /api/kline/subscriptions</c> (admin): every client, <c>/ws</c> connections and Socket.IO <c>/kline</c>
/// clients alike, with its subscriptions, and every topic with its subscriber count.
/// </summary>
internal static class KlineSubscriptionsEndpoint
{
    public static IEndpointRouteBuilder MapKlineSubscriptions(this IEndpointRouteBuilder routes)
    {
        routes.MapGet("/api/kline/subscriptions", (HttpRequest request, IOptions<SecurityOptions> security, SessionRegistry sessions, KlineClients socketIO,
                TimeProvider time) => Handle(request, security.Value, sessions, socketIO, time))
            .WithName("GetKlineSubscriptions")
            .WithSummary("Admin: per-connection and per-topic subscription detail. Needs the admin API key (X-Admin-Key or Authorization: Bearer).")
            .Produces<ApiResponse<KlineSubscriptions>>()
            .Produces<ApiResponse<object>>(StatusCodes.Status401Unauthorized)
            .Produces<ApiResponse<object>>(StatusCodes.Status403Forbidden);
        return routes;
    }

    private static Results<JsonHttpResult<ApiResponse<KlineSubscriptions>>, JsonHttpResult<ApiResponse<object>>> Handle(
        HttpRequest request, SecurityOptions security, SessionRegistry sessions, KlineClients socketIO, TimeProvider time)
    {
        if (AdminKey.Refusal(request, security) is { } refusal)
        {
            return refusal;
        }
        return ApiResults.Ok(Snapshot(sessions, socketIO, time), ApiJsonContext.Default.ApiResponseKlineSubscriptions);
    }

    private static KlineSubscriptions Snapshot(SessionRegistry sessions, KlineClients socketIO, TimeProvider time)
    {
        var connections = new List<ConnectionSubscriptions>();
        var clients = new List<LegacyClient>();
        var topics = new Dictionary<(string Symbol, string Interval), List<string>>();
        void Add(string clientId, string endpoint, string remoteAddress, int queuedFrames, long queuedBytes, List<SubscriptionDetail> items,
            long connectedAt, TimeSpan idle, SentMessageCounts sent)
        {
            foreach (var item in items)
            {
                var key = (item.Symbol, item.Interval);
                if (!topics.TryGetValue(key, out var subscribers))
                {
                    topics[key] = subscribers = [];
                }
                subscribers.Add(clientId);
            }
            connections.Add(new ConnectionSubscriptions(clientId, remoteAddress, items.Count, queuedFrames, queuedBytes, items, endpoint));
            clients.Add(new LegacyClient(clientId, [.. items.Select(i => $"{i.Symbol}:{i.Interval}")], items.Count,
                (long)Stopwatch.GetElapsedTime(connectedAt).TotalSeconds, (long)idle.TotalSeconds,
                new LegacyMessageStats(sent.KlineData, sent.HistoryData, sent.Total), endpoint));
        }
        foreach (var session in sessions.Sessions)
        {
            var items = session.Subscriptions.Select(s => new SubscriptionDetail(s.Topic.Mint.ToString(), s.Topic.Interval.Name, s.SubscriptionId)).ToList();
            Add(session.ClientId, "ws", session.RemoteAddress, session.QueuedFrames, session.QueuedBytes, items, session.ConnectedAt,
                Stopwatch.GetElapsedTime(session.LastReceivedAt), session.Sent);
        }
        foreach (var client in socketIO.Clients)
        {
            var socket = client.Socket;
            var items = client.Subscriptions.Select(s => new SubscriptionDetail(s.Topic.Mint.ToString(), s.Topic.Interval.Name, s.SubscriptionId)).ToList();
            // A Socket.IO session's outbox holds packets, not frames: its queue is reported in bytes only.
            Add(socket.Id, "socketio", socket.RemoteAddress, 0, socket.QueuedBytes, items, client.ConnectedAt, socket.SinceLastReceived, client.Sent);
        }
        connections.Sort((a, b) => string.CompareOrdinal(a.ClientId, b.ClientId));
        clients.Sort((a, b) => string.CompareOrdinal(a.SocketId, b.SocketId));
        var ordered = topics
            .OrderByDescending(t => t.Value.Count).ThenBy(t => t.Key.Symbol, StringComparer.Ordinal).ThenBy(t => t.Key.Interval, StringComparer.Ordinal)
            .ToList();
        var topicList = ordered.Select(t => new TopicSubscribers(t.Key.Symbol, t.Key.Interval, t.Value.Count)).ToList();
        var rooms = ordered
            .Select(t => new LegacyRoom($"kline:{t.Key.Symbol}:{t.Key.Interval}", t.Key.Symbol, t.Key.Interval, t.Value.Count,
                [.. t.Value.Order(StringComparer.Ordinal)]))
            .ToList();
        return new KlineSubscriptions(time.GetUtcNow().ToUnixTimeSeconds(), connections.Count, connections.Sum(c => c.SubscriptionCount), topicList.Count,
            rooms.Count, connections, topicList, clients, rooms);
    }
}

/// <summary>
/// Our shape (<c>connections</c>, <c>topics</c>) and the earlier server's (<c>timestamp</c>, <c>total_rooms</c>,
/// <c>clients</c>, <c>rooms</c>; rest-legacy.md) side by side: the same snapshot twice.
/// </summary>
internal sealed record KlineSubscriptions(
    long Timestamp,
    int TotalConnections,
    int TotalSubscriptions,
    int TotalTopics,
    int TotalRooms,
    IReadOnlyList<ConnectionSubscriptions> Connections,
    IReadOnlyList<TopicSubscribers> Topics,
    IReadOnlyList<LegacyClient> Clients,
    IReadOnlyList<LegacyRoom> Rooms);

/// <summary>
/// One client; <c>endpoint</c> is <c>ws</c> or <c>socketio</c> (a Socket.IO client's id is its socket id, the
/// <c>client_id</c> of its <c>connection_success</c>; its <c>queued_frames</c> is 0: its outbox is counted in bytes).
/// </summary>
internal sealed record ConnectionSubscriptions(
    string ClientId,
    string RemoteAddress,
    int SubscriptionCount,
    int QueuedFrames,
    long QueuedBytes,
    IReadOnlyList<SubscriptionDetail> Subscriptions,
    string Endpoint);

internal sealed record SubscriptionDetail(string Symbol, string Interval, string? SubscriptionId);

internal sealed record TopicSubscribers(string Symbol, string Interval, int Subscribers);

/// <summary>
/// A connection as the earlier server listed it: <c>socket_id</c> (our <c>client_id</c>), subscriptions as
/// <c>"&lt;mint&gt;:&lt;interval&gt;"</c>, seconds since it connected and since it last sent anything (a frame, a
/// packet, a pong), and the messages it was given; plus our <c>endpoint</c>.
/// </summary>
internal sealed record LegacyClient(string SocketId, IReadOnlyList<string> Subscriptions, int SubscriptionCount, long ConnectionDurationSeconds,
    long LastActivitySecondsAgo, LegacyMessageStats MessageStats, string Endpoint);

/// <summary>
/// The messages a client was given (rest-legacy.md's <c>message_stats</c>), counted as they are queued for it:
/// <c>kline_data</c> frames (a realtime state later replaced in its queue by a newer one counts too),
/// <c>history_data</c> messages, and every message.
/// </summary>
internal sealed record LegacyMessageStats(long KlineDataSent, long HistoryDataSent, long TotalMessagesSent);

/// <summary>A topic as the earlier server's Socket.IO room <c>kline:&lt;mint&gt;:&lt;interval&gt;</c>, with its subscribers' socket ids.</summary>
internal sealed record LegacyRoom(string RoomName, string Mint, string Interval, int SubscriberCount, IReadOnlyList<string> Subscribers);
