using System.Diagnostics;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using SpinPet.Server.Configuration;
using SpinPet.Streaming.Sessions;

namespace SpinPet.Server.Api;

/// <summary><c>GET /api/kline/subscriptions</c> (admin): every /ws connection with its subscriptions, and every topic with its subscriber count.</summary>
internal static class KlineSubscriptionsEndpoint
{
    public static IEndpointRouteBuilder MapKlineSubscriptions(this IEndpointRouteBuilder routes)
    {
        routes.MapGet("/api/kline/subscriptions", (HttpRequest request, IOptions<SecurityOptions> security, SessionRegistry sessions, TimeProvider time) =>
                Handle(request, security.Value, sessions, time))
            .WithName("GetKlineSubscriptions")
            .WithSummary("Admin: per-connection and per-topic subscription detail. Needs the admin API key (X-Admin-Key or Authorization: Bearer).")
            .Produces<ApiResponse<KlineSubscriptions>>()
            .Produces<ApiResponse<object>>(StatusCodes.Status401Unauthorized)
            .Produces<ApiResponse<object>>(StatusCodes.Status403Forbidden);
        return routes;
    }

    private static Results<JsonHttpResult<ApiResponse<KlineSubscriptions>>, JsonHttpResult<ApiResponse<object>>> Handle(
        HttpRequest request, SecurityOptions security, SessionRegistry sessions, TimeProvider time)
    {
        if (AdminKey.Refusal(request, security) is { } refusal)
        {
            return refusal;
        }
        return ApiResults.Ok(Snapshot(sessions, time), ApiJsonContext.Default.ApiResponseKlineSubscriptions);
    }

    private static KlineSubscriptions Snapshot(SessionRegistry sessions, TimeProvider time)
    {
        var connections = new List<ConnectionSubscriptions>();
        var clients = new List<LegacyClient>();
        var topics = new Dictionary<(string Symbol, string Interval), List<string>>();
        foreach (var session in sessions.Sessions)
        {
            var subscriptions = session.Subscriptions;
            var items = new List<SubscriptionDetail>(subscriptions.Count);
            foreach (var s in subscriptions)
            {
                items.Add(new SubscriptionDetail(s.Symbol, s.Topic.Interval.Name, s.SubscriptionId));
                var key = (s.Symbol, s.Topic.Interval.Name);
                if (!topics.TryGetValue(key, out var subscribers))
                {
                    topics[key] = subscribers = [];
                }
                subscribers.Add(session.ClientId);
            }
            connections.Add(new ConnectionSubscriptions(session.ClientId, session.RemoteAddress, items.Count, session.QueuedFrames, session.QueuedBytes, items));
            clients.Add(new LegacyClient(session.ClientId, [.. items.Select(i => $"{i.Symbol}:{i.Interval}")], items.Count,
                (long)Stopwatch.GetElapsedTime(session.LastReceivedAt).TotalSeconds));
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

internal sealed record ConnectionSubscriptions(
    string ClientId,
    string RemoteAddress,
    int SubscriptionCount,
    int QueuedFrames,
    long QueuedBytes,
    IReadOnlyList<SubscriptionDetail> Subscriptions);

internal sealed record SubscriptionDetail(string Symbol, string Interval, string? SubscriptionId);

internal sealed record TopicSubscribers(string Symbol, string Interval, int Subscribers);

/// <summary>
/// A connection as the earlier server listed it: <c>socket_id</c> (our <c>client_id</c>), subscriptions as
/// <c>"&lt;mint&gt;:&lt;interval&gt;"</c>, and seconds since the client last sent anything (a frame, a pong).
/// </summary>
internal sealed record LegacyClient(string SocketId, IReadOnlyList<string> Subscriptions, int SubscriptionCount, long LastActivitySecondsAgo);

/// <summary>A topic as the earlier server's Socket.IO room <c>kline:&lt;mint&gt;:&lt;interval&gt;</c>, with its subscribers' socket ids.</summary>
internal sealed record LegacyRoom(string RoomName, string Mint, string Interval, int SubscriberCount, IReadOnlyList<string> Subscribers);
