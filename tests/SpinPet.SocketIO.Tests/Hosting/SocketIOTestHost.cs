using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using SpinPet.SocketIO.Engine;
using SpinPet.SocketIO.Namespaces;

namespace SpinPet.SocketIO.Tests.Hosting;

/// <summary>Kestrel on 127.0.0.1:0 serving a <see cref="SocketIOServer"/> with <see cref="EchoNamespace"/> at /kline.</summary>
internal sealed class SocketIOTestHost : IAsyncDisposable
{
    private readonly WebApplication _app;

    private SocketIOTestHost(WebApplication app, SocketIOServer server, EchoNamespace kline)
    {
        _app = app;
        Server = server;
        Kline = kline;
    }

    public const string ForbiddenOrigin = "http://elsewhere.example";

    public SocketIOServer Server { get; }

    public EchoNamespace Kline { get; }

    public string BaseUrl { get; private set; } = "";

    public Uri Endpoint(string query) => new($"{BaseUrl}/socket.io/?{query}");

    public Uri WebSocketEndpoint(string query) => new($"{BaseUrl.Replace("http://", "ws://", StringComparison.Ordinal)}/socket.io/?{query}");

    /// <param name="options">The server's options (defaults when null).</param>
    /// <param name="transport">Which websocket implementation carries the websocket transport.</param>
    public static async Task<SocketIOTestHost> StartAsync(SocketIOServerOptions? options = null, WebSocketImplementation transport = WebSocketImplementation.AspNetCore)
    {
        options ??= new SocketIOServerOptions();
        if (transport == WebSocketImplementation.OwnConnection)
        {
            options = options with { AcceptWebSocket = ConnectionEngineWebSocket.AcceptAsync };
        }
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        builder.Services.Configure<HostOptions>(host => host.ShutdownTimeout = TimeSpan.FromSeconds(5));
        var app = builder.Build();
        var kline = new EchoNamespace();
        var server = new SocketIOServer(options,
            new Dictionary<string, ISocketIONamespaceHandler> { ["/kline"] = kline }, NullLogger<SocketIOServer>.Instance);
        app.UseWebSockets();
        app.MapSocketIO("/socket.io/", server);
        // The host's own check before the server, as the real host's origin allow-list will be.
        app.Map("/guarded/", context => context.Request.Headers.Origin == ForbiddenOrigin
            ? server.RefuseAsync(context, SpinPet.SocketIO.Engine.EngineErrorCode.Forbidden, "origin not allowed")
            : server.HandleAsync(context));
        var host = new SocketIOTestHost(app, server, kline);
        await app.StartAsync();
        host.BaseUrl = app.Urls.First().TrimEnd('/');
        return host;
    }

    public async ValueTask DisposeAsync()
    {
        Server.CloseAll();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

/// <summary>The websocket under the Engine.IO websocket transport in a test.</summary>
public enum WebSocketImplementation
{
    /// <summary>ASP.NET Core's <c>System.Net.WebSockets.WebSocket</c> (the server's default).</summary>
    AspNetCore,

    /// <summary>The project's own RFC 6455 connection through <see cref="ConnectionEngineWebSocket"/>.</summary>
    OwnConnection,
}
