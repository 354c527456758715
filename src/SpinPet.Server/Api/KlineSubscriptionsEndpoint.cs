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
        routes.MapGet("/api/kline/subscriptions", (HttpRequest request, IOptions<SecurityOptions> security, SessionRegistry sessions) =>
                Handle(request, security.Value, sessions))
            .WithName("GetKlineSubscriptions")
            .WithSummary("Admin: per-connection and per-topic subscription detail. Needs the admin API key (X-Admin-Key or Authorization: Bearer).")
            .Produces<ApiResponse<KlineSubscriptions>>()
            .Produces<ApiResponse<object>>(StatusCodes.Status401Unauthorized)
            .Produces<ApiResponse<object>>(StatusCodes.Status403Forbidden);
        return routes;
    }

    private static Results<JsonHttpResult<ApiResponse<KlineSubscriptions>>, JsonHttpResult<ApiResponse<object>>> Handle(
        HttpRequest request, SecurityOptions security, SessionRegistry sessions)
    {
        if (AdminKey.Refusal(request, security) is { } refusal)
        {
            return refusal;
        }
        return ApiResults.Ok(Snapshot(sessions), ApiJsonContext.Default.ApiResponseKlineSubscriptions);
    }

    private static KlineSubscriptions Snapshot(SessionRegistry sessions)
    {
        var connections = new List<ConnectionSubscriptions>();
        var topics = new Dictionary<(string Symbol, string Interval), int>();
        foreach (var session in sessions.Sessions)
        {
            var subscriptions = session.Subscriptions;
            var items = new List<SubscriptionDetail>(subscriptions.Count);
            foreach (var s in subscriptions)
            {
                items.Add(new SubscriptionDetail(s.Symbol, s.Topic.Interval.Name, s.SubscriptionId));
                var key = (s.Symbol, s.Topic.Interval.Name);
                topics[key] = topics.GetValueOrDefault(key) + 1;
            }
            connections.Add(new ConnectionSubscriptions(session.ClientId, session.RemoteAddress, items.Count, session.QueuedFrames, session.QueuedBytes, items));
        }
        connections.Sort((a, b) => string.CompareOrdinal(a.ClientId, b.ClientId));
        var topicList = topics
            .Select(t => new TopicSubscribers(t.Key.Symbol, t.Key.Interval, t.Value))
            .OrderByDescending(t => t.Subscribers).ThenBy(t => t.Symbol, StringComparer.Ordinal).ThenBy(t => t.Interval, StringComparer.Ordinal)
            .ToList();
        return new KlineSubscriptions(connections.Count, connections.Sum(c => c.SubscriptionCount), topicList.Count, connections, topicList);
    }
}

internal sealed record KlineSubscriptions(
    int TotalConnections,
    int TotalSubscriptions,
    int TotalTopics,
    IReadOnlyList<ConnectionSubscriptions> Connections,
    IReadOnlyList<TopicSubscribers> Topics);

internal sealed record ConnectionSubscriptions(
    string ClientId,
    string RemoteAddress,
    int SubscriptionCount,
    int QueuedFrames,
    long QueuedBytes,
    IReadOnlyList<SubscriptionDetail> Subscriptions);

internal sealed record SubscriptionDetail(string Symbol, string Interval, string? SubscriptionId);

internal sealed record TopicSubscribers(string Symbol, string Interval, int Subscribers);
