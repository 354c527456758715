using System.Text.Json.Serialization;
using Microsoft.Extensions.Options;
using SpinPet.Core.Candles;
using SpinPet.Server.Configuration;
using SpinPet.Server.SocketIO;
using SpinPet.SocketIO;
using SpinPet.Solana.Ingest;
using SpinPet.Streaming;
using SpinPet.Streaming.Sessions;
using SpinPet.Streaming.Topics;

namespace SpinPet.Server.Api;

internal static class KlineStatusEndpoint
{
    /// <summary>
    /// <c>GET /api/kline/status</c>: the push service's state and configuration (rest.md). Unauthenticated, so every
    /// figure is a maintained counter: nothing here walks the connections or the topics, or takes their locks.
    /// </summary>
    public static IEndpointRouteBuilder MapKlineStatus(this IEndpointRouteBuilder routes)
    {
        routes.MapGet("/api/kline/status", (IOptions<KlineOptions> kline, IOptions<Configuration.WebSocketOptions> websocket, StreamingCounters counters, TopicHub hub,
            StreamingOptions streaming, SessionRegistry sessions, SocketIOServer socketIO, KlineClients socketIOClients, IOptions<SolanaOptions> solana) =>
        {
            var options = kline.Value;
            var budget = sessions.OutboxBudget;
            var io = socketIO.Counters;
            var status = new KlineServiceStatus(
                Enabled: options.EnableKlineService,
                ServiceStatus: options.EnableKlineService ? "running" : "disabled",
                Stats: new KlineServiceStats(
                    // Every connected frontend, as the earlier (Socket.IO) server counted them: /ws connections and
                    // Socket.IO sessions; `socketio` has the Socket.IO share.
                    ActiveConnections: counters.ActiveConnections.Value + io.ActiveSessions,
                    TotalSubscriptions: counters.Subscriptions.Value + socketIOClients.Subscriptions.Value,
                    MonitoredMints: hub.MonitoredMints,
                    MessagesSent: counters.MessagesSent.Value,
                    MessagesFailed: counters.MessagesFailed.Value,
                    SlowConsumerCloses: counters.SlowConsumerCloses.Value,
                    ConflatedUpdates: counters.ConflatedUpdates.Value,
                    RefusedConnections: counters.RefusedConnections.Value,
                    RateLimitedMessages: counters.RateLimitedMessages.Value,
                    CompressedMessages: counters.CompressedMessages.Value,
                    BroadcastPendingStates: hub.PendingStates,
                    BroadcastDroppedUpdates: counters.BroadcastDroppedUpdates.Value,
                    BroadcastResyncs: counters.BroadcastResyncs.Value,
                    OutboxPeakBytes: counters.OutboxPeakBytes.Value,
                    OutboxReservedBytes: budget.Reserved,
                    OutboxReservedPeakBytes: budget.PeakReserved,
                    OutboxAddressPeakBytes: budget.AddressPeakReserved,
                    OutboxBudgetCloses: counters.OutboxBudgetCloses.Value,
                    WsConnections: counters.ActiveConnections.Value,
                    WsSubscriptions: counters.Subscriptions.Value,
                    SocketIO: new SocketIOServiceStats(
                        ActiveSessions: io.ActiveSessions,
                        PollingSessions: io.PollingSessions,
                        Subscriptions: socketIOClients.Subscriptions.Value,
                        TotalSessions: io.TotalSessions,
                        Upgrades: io.Upgrades,
                        PacketsSent: io.PacketsSent,
                        SlowConsumerCloses: io.SlowConsumerCloses,
                        OutboxBudgetCloses: io.OutboxBudgetCloses,
                        PingTimeouts: io.PingTimeouts,
                        RefusedRequests: io.RefusedRequests,
                        RefusedAtCapacity: io.RefusedAtCapacity,
                        ProtocolErrors: io.ProtocolErrors,
                        InvalidPayloads: io.InvalidPayloads,
                        RateLimitedPackets: io.RateLimited,
                        OversizePackets: io.TooLarge,
                        HandlerFailures: io.HandlerFailures),
                    Config: new KlineServiceConfig(
                        [.. streaming.Intervals.Select(i => i.Name)],
                        options.ConnectionTimeout,
                        options.MaxSubscriptionsPerClient,
                        websocket.Value.PingInterval / 1000.0,
                        websocket.Value.PingTimeout / 1000.0,
                        options.BroadcastBufferSize,
                        options.HistoryDataLimit,
                        VolumeUnitName(options.VolumeUnit),
                        solana.Value.PriceScaleExponent)));
            return ApiResults.Ok(status, ApiJsonContext.Default.ApiResponseKlineServiceStatus);
        });
        return routes;
    }

    // The chart page reads it to label its volume histogram, or to leave it out when every volume is 0 (none).
    private static string VolumeUnitName(VolumeUnit unit) => unit switch
    {
        VolumeUnit.Sol => "sol",
        VolumeUnit.Token => "token",
        VolumeUnit.None => "none",
        _ => throw new ArgumentOutOfRangeException(nameof(unit), unit, "Unknown volume unit."),
    };
}

internal sealed record KlineServiceStatus(bool Enabled, string ServiceStatus, KlineServiceStats Stats);

internal sealed record KlineServiceStats(
    long ActiveConnections,
    long TotalSubscriptions,
    long MonitoredMints,
    long MessagesSent,
    long MessagesFailed,
    long SlowConsumerCloses,
    long ConflatedUpdates,
    long RefusedConnections,
    long RateLimitedMessages,
    long CompressedMessages,
    long BroadcastPendingStates,
    long BroadcastDroppedUpdates,
    long BroadcastResyncs,
    long OutboxPeakBytes,
    long OutboxReservedBytes,
    long OutboxReservedPeakBytes,
    long OutboxAddressPeakBytes,
    long OutboxBudgetCloses,
    long WsConnections,
    long WsSubscriptions,
    [property: JsonPropertyName("socketio")] SocketIOServiceStats SocketIO,
    KlineServiceConfig Config);

/// <summary>
/// The Socket.IO endpoint's share and its own figures (<c>stats.socketio</c>); the same as the
/// <c>spinpet.socketio.*</c> instruments of <c>/metrics</c>.
/// </summary>
internal sealed record SocketIOServiceStats(
    long ActiveSessions,
    long PollingSessions,
    long Subscriptions,
    long TotalSessions,
    long Upgrades,
    long PacketsSent,
    long SlowConsumerCloses,
    long OutboxBudgetCloses,
    long PingTimeouts,
    long RefusedRequests,
    long RefusedAtCapacity,
    long ProtocolErrors,
    long InvalidPayloads,
    long RateLimitedPackets,
    long OversizePackets,
    long HandlerFailures);

/// <summary>
/// The push service's configuration; <c>ping_interval</c> and <c>ping_timeout</c> are <c>websocket.ping_interval</c> and
/// <c>websocket.ping_timeout</c> in seconds, as the earlier server reported them (rest-legacy.md);
/// <c>price_scale_exponent</c> is <c>solana.price_scale_exponent</c>, which turns an event's u128 <c>latest_price</c>
/// into SOL per token (the chart page's trades list reads it).
/// </summary>
internal sealed record KlineServiceConfig(
    IReadOnlyList<string> SupportedIntervals,
    int ConnectionTimeout,
    int MaxSubscriptionsPerClient,
    double PingInterval,
    double PingTimeout,
    int BroadcastBufferSize,
    int HistoryDataLimit,
    string VolumeUnit,
    int PriceScaleExponent);
