using System.Diagnostics.Metrics;
using Microsoft.Extensions.Options;
using SpinPet.Server.Configuration;
using SpinPet.Server.Observability;
using SpinPet.Server.Streaming;
using SpinPet.SocketIO;
using SpinPet.SocketIO.Engine;
using SpinPet.SocketIO.Namespaces;
using SpinPet.Streaming.Sessions;

namespace SpinPet.Server.SocketIO;

/// <summary>
/// The Socket.IO endpoint for the earlier server's frontends (socketio.md): <c>/socket.io/</c>, namespace
/// <c>/kline</c>, over the same hub, history and limits as <c>/ws</c>, with the <c>websocket.*</c> keys.
/// </summary>
internal static class SocketIOSetup
{
    /// <summary>socketio.md: <c>maxPayload</c> 1 MiB.</summary>
    private const int MaxPayloadBytes = 1024 * 1024;

    public static IServiceCollection AddSpinPetSocketIO(this IServiceCollection services)
    {
        services.AddSingleton<KlineClients>();
        services.AddSingleton<KlineNamespace>();
        services.AddSingleton(sp =>
        {
            var socket = sp.GetRequiredService<IOptions<Configuration.WebSocketOptions>>().Value;
            var options = new SocketIOServerOptions
            {
                PingInterval = TimeSpan.FromMilliseconds(socket.PingInterval),
                PingTimeout = TimeSpan.FromMilliseconds(socket.PingTimeout),
                MaxPayloadBytes = MaxPayloadBytes,
                // A packet larger than a /ws message is refused as on /ws (1005), up to the 1 MiB payload.
                MaxPacketBytes = Math.Min(socket.MaxMessageBytes, MaxPayloadBytes),
                MaxOutboxBytes = socket.MaxOutboxBytes,
                PacketBurst = socket.MessageBurst,
                PacketsPerSecond = socket.MaxMessagesPerSecond,
                // The project's own RFC 6455 connection: zero-byte reads while idle, the frame limit before buffering.
                AcceptWebSocket = ConnectionEngineWebSocket.AcceptAsync,
                Admission = new SessionRegistryAdmission(sp.GetRequiredService<SessionRegistry>()),
            };
            var namespaces = new Dictionary<string, ISocketIONamespaceHandler> { [KlinePayloads.Namespace] = sp.GetRequiredService<KlineNamespace>() };
            var server = new SocketIOServer(options, namespaces, sp.GetRequiredService<ILogger<SocketIOServer>>(), sp.GetRequiredService<TimeProvider>());
            // Its figures on the server's meter (/metrics), beside /ws's.
            SocketIOMetrics.Export(sp.GetRequiredService<IMeterFactory>().Create(SpinPetMetrics.MeterName), server.Counters, sp.GetRequiredService<KlineClients>());
            return server;
        });
        return services;
    }

    /// <summary>
    /// <c>/socket.io/</c> when <c>kline.enable_kline_service</c> is on (like <c>/ws</c>): the origin allow-list first
    /// (browsers apply no CORS to a websocket), then the Engine.IO server. Shutdown closes every session.
    /// </summary>
    public static IEndpointRouteBuilder MapSpinPetSocketIO(this IEndpointRouteBuilder routes)
    {
        var services = routes.ServiceProvider;
        if (!services.GetRequiredService<IOptions<KlineOptions>>().Value.EnableKlineService)
        {
            return routes;
        }
        var server = services.GetRequiredService<SocketIOServer>();
        var socketOptions = services.GetRequiredService<IOptions<Configuration.WebSocketOptions>>().Value;
        services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping.Register(server.CloseAll);
        routes.Map("/socket.io/", context => KlineSocketEndpoint.IsOriginAllowed(context.Request, socketOptions)
            ? server.HandleAsync(context)
            : server.RefuseAsync(context, EngineErrorCode.Forbidden, $"origin {context.Request.Headers.Origin} is not allowed"));
        return routes;
    }
}
