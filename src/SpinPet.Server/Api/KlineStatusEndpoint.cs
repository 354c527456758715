using Microsoft.Extensions.Options;
using SpinPet.Core.Candles;
using SpinPet.Server.Configuration;
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
        routes.MapGet("/api/kline/status", (IOptions<KlineOptions> kline, StreamingCounters counters, TopicHub hub, StreamingOptions streaming, SessionRegistry sessions) =>
        {
            var options = kline.Value;
            var budget = sessions.OutboxBudget;
            var status = new KlineServiceStatus(
                Enabled: options.EnableKlineService,
                ServiceStatus: options.EnableKlineService ? "running" : "disabled",
                Stats: new KlineServiceStats(
                    ActiveConnections: counters.ActiveConnections,
                    TotalSubscriptions: counters.Subscriptions,
                    MonitoredMints: hub.MonitoredMints,
                    MessagesSent: counters.MessagesSent,
                    MessagesFailed: counters.MessagesFailed,
                    SlowConsumerCloses: counters.SlowConsumerCloses,
                    ConflatedUpdates: counters.ConflatedUpdates,
                    RefusedConnections: counters.RefusedConnections,
                    RateLimitedMessages: counters.RateLimitedMessages,
                    CompressedMessages: counters.CompressedMessages,
                    BroadcastPendingStates: hub.PendingStates,
                    BroadcastDroppedUpdates: counters.BroadcastDroppedUpdates,
                    BroadcastResyncs: counters.BroadcastResyncs,
                    OutboxPeakBytes: counters.OutboxPeakBytes,
                    OutboxReservedBytes: budget.Reserved,
                    OutboxReservedPeakBytes: budget.PeakReserved,
                    OutboxAddressPeakBytes: budget.AddressPeakReserved,
                    OutboxBudgetCloses: counters.OutboxBudgetCloses,
                    Config: new KlineServiceConfig(
                        [.. streaming.Intervals.Select(i => i.Name)],
                        options.ConnectionTimeout,
                        options.MaxSubscriptionsPerClient,
                        options.BroadcastBufferSize,
                        options.HistoryDataLimit,
                        VolumeUnitName(options.VolumeUnit))));
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
    KlineServiceConfig Config);

internal sealed record KlineServiceConfig(
    IReadOnlyList<string> SupportedIntervals,
    int ConnectionTimeout,
    int MaxSubscriptionsPerClient,
    int BroadcastBufferSize,
    int HistoryDataLimit,
    string VolumeUnit);
