using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using SpinPet.ChainSimulator.PubSub;
using SpinPet.ChainSimulator.Rpc;

namespace SpinPet.ChainSimulator.Hosting;

/// <summary>
/// Two Kestrel servers, like a node's two ports: HTTP JSON-RPC (8899 by convention) and PubSub WebSocket (8900).
/// Both refuse connections while the fault is on, at the TCP level for new connections and per request for
/// kept-alive ones.
/// </summary>
internal sealed class SimulatorServers : IAsyncDisposable
{
    private static readonly TimeSpan ShutdownTimeout = TimeSpan.FromSeconds(3);

    private readonly WebApplication _rpc;
    private readonly WebApplication _pubSub;

    private SimulatorServers(WebApplication rpc, WebApplication pubSub, Uri rpcUri, Uri wsUri)
    {
        _rpc = rpc;
        _pubSub = pubSub;
        RpcUri = rpcUri;
        WsUri = wsUri;
    }

    public Uri RpcUri { get; }

    public Uri WsUri { get; }

    public static async Task<SimulatorServers> StartAsync(
        SimulatorOptions options,
        RpcHandler rpcHandler,
        PubSubHub hub,
        SimulatorFaults faults,
        SimulatorStats stats,
        CancellationToken shutdown,
        CancellationToken ct)
    {
        var address = ResolveAddress(options.Host);

        var rpc = Build(address, options.RpcPort, faults, stats, silenceable: false);
        rpc.Run(rpcHandler.HandleAsync);

        var pubSub = Build(address, options.WsPort, faults, stats, silenceable: true);
        // No server-initiated keep-alive frames: like a node, the server stays silent and clients ping.
        pubSub.UseWebSockets(new WebSocketOptions { KeepAliveInterval = TimeSpan.Zero });
        pubSub.Run(context => hub.AcceptAsync(context, shutdown));

        try
        {
            await rpc.StartAsync(ct).ConfigureAwait(false);
            await pubSub.StartAsync(ct).ConfigureAwait(false);
        }
        catch
        {
            await rpc.DisposeAsync().ConfigureAwait(false);
            await pubSub.DisposeAsync().ConfigureAwait(false);
            throw;
        }
        var rpcUri = BoundUri(rpc, "http");
        var wsUri = BoundUri(pubSub, "ws");
        return new SimulatorServers(rpc, pubSub, rpcUri, wsUri);
    }

    public async ValueTask DisposeAsync()
    {
        using var timeout = new CancellationTokenSource(ShutdownTimeout);
        await _pubSub.StopAsync(timeout.Token).ConfigureAwait(false);
        await _rpc.StopAsync(timeout.Token).ConfigureAwait(false);
        await _pubSub.DisposeAsync().ConfigureAwait(false);
        await _rpc.DisposeAsync().ConfigureAwait(false);
    }

    private static WebApplication Build(IPAddress address, int port, SimulatorFaults faults, SimulatorStats stats, bool silenceable)
    {
        // The empty builder reads no appsettings, environment or command line, and watches no files.
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions { ApplicationName = typeof(SimulatorServers).Assembly.GetName().Name });
        builder.Services.AddSingleton<IHostLifetime, QuietLifetime>();
        builder.Services.Configure<HostOptions>(host => host.ShutdownTimeout = ShutdownTimeout);
        builder.WebHost.UseKestrelCore();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxRequestBodySize = 1024 * 1024;
            kestrel.Listen(address, port, listen => listen.Use(next => connection =>
            {
                if (faults.RefuseConnections)
                {
                    stats.ConnectionRefused();
                    connection.Abort(new ConnectionAbortedException("Connections are being refused (fault injection)."));
                    return Task.CompletedTask;
                }
                if (silenceable)
                {
                    // The PubSub handler finds the switch among the request's features (Kestrel falls back to the connection's).
                    var silence = new ConnectionSilence();
                    connection.Features.Set(silence);
                    connection.Transport = new SilenceableTransport(connection.Transport, silence);
                }
                return next(connection);
            }));
        });
        var app = builder.Build();
        app.Use((context, next) =>
        {
            if (faults.RefuseConnections)
            {
                stats.ConnectionRefused();
                context.Abort();
                return Task.CompletedTask;
            }
            return next(context);
        });
        return app;
    }

    private static IPAddress ResolveAddress(string host) =>
        string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase) ? IPAddress.Loopback
        : IPAddress.TryParse(host, out var address) ? address
        : throw new ArgumentException($"Host '{host}' is not an IP address or 'localhost'.", nameof(host));

    private static Uri BoundUri(WebApplication app, string scheme)
    {
        var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses
            ?? throw new InvalidOperationException("Kestrel reported no bound address.");
        var bound = new Uri(addresses.First());
        return new UriBuilder(scheme, bound.Host, bound.Port, "/").Uri;
    }
}
