using Microsoft.Extensions.Options;
using SpinPet.Server.Configuration;
using SpinPet.Server.Hosting;
using SpinPet.Streaming;
using SpinPet.Streaming.Events;
using SpinPet.Streaming.Sessions;
using SpinPet.Streaming.Topics;
using SpinPet.WebSockets;

namespace SpinPet.Server.Streaming;

internal static class KlineSocketEndpoint
{
    /// <summary>
    /// <c>/ws</c>: admission (origin allow-list 403, connection limits 503) before the upgrade, then one
    /// <see cref="ClientSession"/> for the life of the socket. Shutdown closes every session with 1001.
    /// </summary>
    public static IEndpointRouteBuilder MapKlineSocket(this IEndpointRouteBuilder routes)
    {
        // kline.enable_kline_service = false: no /ws endpoint at all (404), REST keeps serving.
        if (routes.ServiceProvider.GetRequiredService<IOptions<KlineOptions>>().Value.EnableKlineService)
        {
            routes.Map("/ws", HandleAsync);
        }
        return routes;
    }

    private static async Task HandleAsync(HttpContext context)
    {
        var services = context.RequestServices;
        var socketOptions = services.GetRequiredService<IOptions<Configuration.WebSocketOptions>>().Value;
        if (!IsOriginAllowed(context.Request, socketOptions))
        {
            services.GetRequiredService<StreamingCounters>().RefusedConnections.Add(1);
            await Refuse(context, StatusCodes.Status403Forbidden, $"origin {context.Request.Headers.Origin} is not allowed");
            return;
        }
        var registry = services.GetRequiredService<SessionRegistry>();
        var remote = context.Connection.RemoteIpAddress;
        var address = remote?.ToString() ?? "unknown";
        // websocket.max_connections_per_ip and max_outbox_bytes_per_ip count per address as the REST rate limit does:
        // an IPv6 /64 is one address (one host usually holds all of it), an IPv4-mapped address its IPv4 address.
        var partition = ClientPartition.Of(remote).ToString();
        if (!registry.TryReserve(partition, out var outboxBudget, out var refusal))
        {
            await Refuse(context, StatusCodes.Status503ServiceUnavailable, refusal!);
            return;
        }
        try
        {
            await using var connection = await WebSocketHandshake.AcceptAsync(context, socketOptions.MaxMessageBytes,
                enableDeflate: socketOptions.Compression, directSend: socketOptions.DirectSend);
            if (connection is null)
            {
                return;
            }
            await RunSessionAsync(services, connection, address, outboxBudget);
        }
        finally
        {
            registry.Release(partition);
        }
    }

    /// <summary>
    /// One <see cref="ClientSession"/> for the life of a socket Kestrel upgraded, registered while it runs (
    /// <see cref="EarlySocketAccept"/> does the same in its own state).
    /// </summary>
    internal static async Task RunSessionAsync(IServiceProvider services, WebSocketConnection connection, string address, OutboxBudget outboxBudget)
    {
        var registry = services.GetRequiredService<SessionRegistry>();
        var session = NewSession(services, connection, address, outboxBudget);
        registry.Add(session);
        try
        {
            await session.RunAsync(services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping);
        }
        finally
        {
            registry.Remove(session);
        }
    }

    /// <summary>The session of an accepted socket, not yet registered or running.</summary>
    internal static ClientSession NewSession(IServiceProvider services, WebSocketConnection connection, string address, OutboxBudget outboxBudget) =>
        new(connection, address, outboxBudget,
            services.GetRequiredService<TopicHub>(), services.GetRequiredService<EventHub>(), services.GetRequiredService<ICandleHistory>(),
            services.GetRequiredService<StreamingOptions>(), services.GetRequiredService<FrameRateLimit>(), services.GetRequiredService<StreamingCounters>(),
            services.GetRequiredService<TimeProvider>(), services.GetRequiredService<ILogger<ClientSession>>());

    /// <summary>
    /// <c>websocket.allowed_origins</c> (empty: any) for the socket endpoints (<c>/ws</c>, <c>/socket.io/</c>); a request
    /// without an Origin (not a browser) is let in.
    /// </summary>
    public static bool IsOriginAllowed(HttpRequest request, Configuration.WebSocketOptions options) =>
        IsOriginAllowed(request.Headers.Origin.ToString(), request.Scheme, request.Host.ToString(), options);

    /// <summary>
    /// As above, from the request's parts. The chart page this server serves at <c>/</c> is always let in: its Origin is
    /// the address the request came to. (Behind a TLS-terminating proxy the schemes differ; list the public origin then.)
    /// </summary>
    internal static bool IsOriginAllowed(string origin, string scheme, string host, Configuration.WebSocketOptions options) =>
        options.AllowedOrigins.Length == 0 || origin.Length == 0
            || string.Equals(origin, $"{scheme}://{host}", StringComparison.OrdinalIgnoreCase)
            || options.AllowedOrigins.Contains(origin, StringComparer.OrdinalIgnoreCase);

    private static Task Refuse(HttpContext context, int status, string reason)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "text/plain; charset=utf-8";
        return context.Response.WriteAsync(reason);
    }
}
