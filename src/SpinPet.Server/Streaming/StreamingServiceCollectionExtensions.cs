using System.Diagnostics.Metrics;
using Microsoft.Extensions.Options;
using SpinPet.Indexer;
using SpinPet.Server.Configuration;
using SpinPet.Server.Observability;
using SpinPet.Storage;
using SpinPet.Streaming;
using SpinPet.Streaming.Events;
using SpinPet.Streaming.Sessions;
using SpinPet.Streaming.Topics;
using SpinPet.WebSockets;

namespace SpinPet.Server.Streaming;

internal static class StreamingServiceCollectionExtensions
{
    public static IServiceCollection AddSpinPetStreaming(this IServiceCollection services)
    {
        services.AddSingleton(sp =>
        {
            var kline = sp.GetRequiredService<IOptions<KlineOptions>>().Value;
            var socket = sp.GetRequiredService<IOptions<Configuration.WebSocketOptions>>().Value;
            return new StreamingOptions
            {
                Intervals = KlineIntervals.Intervals(kline.Intervals),
                MaxSubscriptionsPerClient = kline.MaxSubscriptionsPerClient,
                HistoryDataLimit = kline.HistoryDataLimit,
                SupportedSymbolsLimit = kline.SupportedSymbolsLimit,
                MaxMessageBytes = socket.MaxMessageBytes,
                MaxMessagesPerSecond = socket.MaxMessagesPerSecond,
                MessageBurst = socket.MessageBurst,
                PingInterval = TimeSpan.FromMilliseconds(socket.PingInterval),
                // protocol.md: ping_timeout, and the design document's connection_timeout is the same rule.
                IdleTimeout = TimeSpan.FromMilliseconds(Math.Min(socket.PingTimeout, kline.ConnectionTimeout * 1000L)),
                BroadcastBufferSize = kline.BroadcastBufferSize,
                FanoutRoundFrames = kline.FanoutRoundFrames,
                MaxOutboxBytes = socket.MaxOutboxBytes,
                MaxOutboxBytesPerAddress = socket.MaxOutboxBytesPerIp,
                MaxOutboxBytesTotal = socket.MaxOutboxBytesTotal,
            };
        });
        services.AddSingleton(sp =>
        {
            var options = sp.GetRequiredService<StreamingOptions>();
            return new FrameRateLimit(options.MessageBurst, options.MaxMessagesPerSecond, sp.GetRequiredService<TimeProvider>());
        });
        services.AddSingleton(sp =>
        {
            var options = sp.GetRequiredService<StreamingOptions>();
            return OutboxBudget.ForProcess(options.MaxOutboxBytesTotal, options.MaxOutboxBytesPerAddress);
        });
        // The /ws figures are instruments of the server's meter (exported on /metrics) and the status route's numbers.
        services.AddSingleton(sp => new StreamingCounters(sp.GetRequiredService<IMeterFactory>().Create(SpinPetMetrics.MeterName),
            sp.GetRequiredService<FrameRateLimit>(), sp.GetRequiredService<OutboxBudget>()));
        services.AddSingleton<ICandleHistory, StoreCandleHistory>();
        services.AddSingleton<IEventHistory, StoreEventHistory>();
        services.AddSingleton(sp =>
        {
            var hub = ActivatorUtilities.CreateInstance<TopicHub>(sp);
            // The stored position from the first connection on: a snapshot before the first batch reflects it.
            hub.Applied(sp.GetRequiredService<SpinPetStore>().Meta.Position);
            return hub;
        });
        services.AddSingleton(sp =>
        {
            var socket = sp.GetRequiredService<IOptions<Configuration.WebSocketOptions>>().Value;
            return new SessionRegistry(sp.GetRequiredService<StreamingOptions>(), socket.MaxConnections, socket.MaxConnectionsPerIp,
                sp.GetRequiredService<OutboxBudget>(), sp.GetRequiredService<StreamingCounters>(), sp.GetRequiredService<ILogger<SessionRegistry>>());
        });
        services.AddSingleton(sp => ActivatorUtilities.CreateInstance<EventHub>(sp));
        services.AddSingleton<EventFanOut>();
        services.AddSingleton<EarlySocketAccept>();
        services.AddSingleton<IAppliedBatchListener, CandleFanOut>();
        services.AddHostedService<StreamingService>();
        return services;
    }
}
