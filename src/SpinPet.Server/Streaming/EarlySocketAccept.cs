using System.Diagnostics.CodeAnalysis;
using System.IO.Pipelines;
using System.Net;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Options;
using SpinPet.Server.Configuration;
using SpinPet.Server.Hosting;
using SpinPet.Streaming;
using SpinPet.Streaming.Sessions;
using SpinPet.WebSockets;

namespace SpinPet.Server.Streaming;

/// <summary>
/// <c>websocket.early_accept</c> (decision records 0014 and 0015): takes a plaintext <c>/ws</c> upgrade that is a
/// connection's first request before Kestrel's HTTP/1.1 objects, an <c>HttpContext</c> or the request's hosting state
/// exist for it. Two ways in: <see cref="EarlySocketListener"/> reads the upgrade straight off the accepted socket, so
/// the connection never gets Kestrel's transport either (the common case: a client sends its upgrade in one packet);
/// this class's Kestrel connection middleware takes, over Kestrel's transport, one that came in pieces. It only ever
/// takes what it would accept: an upgrade <see cref="UpgradeRequestReader"/> vouches for, from an allowed origin,
/// within the address's request rate and connection limits, not from a trusted proxy. Everything else (other requests,
/// refusals, anything unusual) continues into Kestrel with every byte unread, where <see cref="KlineSocketEndpoint"/>
/// and the HTTP stack's own parsing and limits answer it as they always did.
/// </summary>
internal sealed class EarlySocketAccept
{
    /// <summary>
    /// A client sends its upgrade request right after connecting, in one packet. A connection that has not sent a
    /// complete one by then goes to Kestrel, whose request-header timeout starts from its own first read.
    /// </summary>
    internal static readonly TimeSpan DecisionWindow = TimeSpan.FromSeconds(3);

    private readonly IServiceProvider _services;
    private readonly Configuration.WebSocketOptions _options;
    private readonly SessionRegistry _registry;
    private readonly ClientRateLimit _rateLimit;
    private readonly StreamingCounters _counters;
    private readonly TimeProvider _time;
    private readonly ForwardedHeadersOptions? _forwarded;
    private readonly CancellationToken _stopping;

    public EarlySocketAccept(IServiceProvider services)
    {
        _services = services;
        _options = services.GetRequiredService<IOptions<Configuration.WebSocketOptions>>().Value;
        _registry = services.GetRequiredService<SessionRegistry>();
        _rateLimit = services.GetRequiredService<ClientRateLimit>();
        _counters = services.GetRequiredService<StreamingCounters>();
        _time = services.GetRequiredService<TimeProvider>();
        _forwarded = services.GetRequiredService<IOptions<ServerOptions>>().Value.ForwardedHeaders
            ? services.GetRequiredService<IOptions<ForwardedHeadersOptions>>().Value
            : null;
        _stopping = services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping;
        IsEnabled = services.GetRequiredService<IOptions<KlineOptions>>().Value.EnableKlineService && _options.EarlyAccept;
    }

    /// <summary>The kline service is on and so is <c>websocket.early_accept</c>.</summary>
    public bool IsEnabled { get; }

    /// <summary><c>websocket.direct_send</c>: frames go straight to the socket, not through a pipe.</summary>
    public bool DirectSend => _options.DirectSend;

    public TimeProvider Time => _time;

    /// <summary>Puts the middleware in front of Kestrel's HTTP handling of <paramref name="listen"/>, when it is on.</summary>
    public static ListenOptions Install(ListenOptions listen)
    {
        var accept = listen.ApplicationServices.GetRequiredService<EarlySocketAccept>();
        if (accept.IsEnabled)
        {
            listen.Use(next => connection => accept.OnConnectionAsync(connection, next));
        }
        return listen;
    }

    /// <summary>
    /// The checks of <see cref="KlineSocketEndpoint"/>, passed: origin, request rate, connection limits. A taken request
    /// holds a connection slot until <see cref="ServeAsync"/> releases it.
    /// </summary>
    public bool TryAdmit(IPAddress? remote, UpgradeRequest request, [NotNullWhen(true)] out Taken? taken)
    {
        taken = null;
        // From a trusted proxy the client is in X-Forwarded-For, which the forwarded-headers middleware reads.
        if (remote is null || IsTrustedProxy(remote)
            || !KlineSocketEndpoint.IsOriginAllowed(request.Origin ?? "", "http", request.Host, _options))
        {
            return false;
        }
        string partition = ClientPartition.Of(remote).ToString();
        if (!_registry.TryReserve(partition, out var budget, out _, countRefusal: false))
        {
            return false;
        }
        // An upgrade is a request: it takes its token from the address's REST bucket, as through Kestrel.
        if (!_rateLimit.TryTake(remote))
        {
            _registry.Release(partition);
            return false;
        }
        taken = new Taken(request.AcceptKey, request.Extensions, partition, budget, remote.ToString());
        return true;
    }

    /// <summary>Gives back what <see cref="TryAdmit"/> took, for a connection that failed before it was served.</summary>
    public void Release(Taken taken) => _registry.Release(taken.Partition);

    /// <summary>
    /// Answers 101 over <paramref name="transport"/> (which carries the frames too, so none can overtake it), then
    /// serves the session until it ends. Owns <paramref name="transport"/> from the call on, and releases the slot.
    /// </summary>
    /// <param name="offTheSocket">Taken by <see cref="EarlySocketListener"/> from the bare socket (counted apart).</param>
    public async Task ServeAsync(Stream transport, Action abort, Taken taken, bool offTheSocket)
    {
        // Only these outlive the handshake in this method's state (the parameter is cleared below): the request's
        // strings are not kept per connection.
        var (partition, budget, address) = (taken.Partition, taken.Budget, taken.Address);
        try
        {
            string? extensions = null;
            bool deflate = _options.Compression && PerMessageDeflateNegotiation.TryNegotiate(taken.Extensions, out extensions);
            var response = WebSocketHandshake.SwitchingProtocols(taken.AcceptKey, extensions);
            taken = null!;
            try
            {
                await transport.WriteAsync(response);
            }
            catch (IOException)
            {
                await transport.DisposeAsync();
                return;
            }
            response = null!;
            _counters.ConnectionLevelAccepts.Add(1);
            if (offTheSocket)
            {
                _counters.SocketLevelAccepts.Add(1);
            }
            await using var socket = new WebSocketConnection(transport, _options.MaxMessageBytes, abort, deflate);
            // The session runs in this method's state rather than in a nested method's: one async state fewer per
            // idle connection (KlineSocketEndpoint.RunSessionAsync does the same for Kestrel's upgrades).
            var session = KlineSocketEndpoint.NewSession(_services, socket, address, budget);
            _registry.Add(session);
            try
            {
                await session.RunAsync(_stopping);
            }
            finally
            {
                _registry.Remove(session);
            }
        }
        finally
        {
            _registry.Release(partition);
        }
    }

    private async Task OnConnectionAsync(ConnectionContext connection, ConnectionDelegate next)
    {
        var taken = await TryTakeAsync(connection);
        if (taken is null)
        {
            await next(connection);
            return;
        }
        Stream transport = new DuplexPipeStream(connection.Transport);
        if (_options.DirectSend && connection.Features.Get<IConnectionSocketFeature>()?.Socket is { } socket)
        {
            transport = new DirectSendStream(transport, socket);
        }
        await ServeAsync(transport, connection.Abort, taken, offTheSocket: false);
    }

    /// <summary>
    /// Reads until the bytes decide: the admitted request (its head consumed), or null with nothing consumed and the
    /// pipe's examined mark where the next read returns every byte at once.
    /// </summary>
    private async Task<Taken?> TryTakeAsync(ConnectionContext connection)
    {
        if (connection.Features.Get<ITlsConnectionFeature>() is not null)
        {
            return null;
        }
        var input = connection.Transport.Input;
        using var window = new CancellationTokenSource(DecisionWindow, _time);
        // A pipe refuses an examined mark before the last one, so a hand-over marks no more and no less than that.
        SequencePosition? examined = null;
        while (true)
        {
            ReadResult read;
            try
            {
                read = await input.ReadAsync(window.Token);
            }
            catch (Exception ex) when (ex is OperationCanceledException or IOException)
            {
                // The window closed (a cancelled read consumes nothing), or the connection failed: Kestrel's to handle.
                return null;
            }
            var buffer = read.Buffer;
            var verdict = UpgradeRequestReader.Read(buffer, "/ws"u8, out var request);
            if (verdict == UpgradeRequestVerdict.NeedMore && !read.IsCompleted && !read.IsCanceled)
            {
                input.AdvanceTo(buffer.Start, buffer.End);
                examined = buffer.End;
                continue;
            }
            if (verdict == UpgradeRequestVerdict.Taken
                && TryAdmit((connection.RemoteEndPoint as IPEndPoint)?.Address, request!, out var taken))
            {
                input.AdvanceTo(buffer.GetPosition(request!.HeadLength));
                return taken;
            }
            input.AdvanceTo(buffer.Start, examined ?? buffer.Start);
            return null;
        }
    }

    private bool IsTrustedProxy(IPAddress remote)
    {
        if (_forwarded is null)
        {
            return false;
        }
        var mapped = remote.IsIPv4MappedToIPv6 ? remote.MapToIPv4() : remote;
        return _forwarded.KnownProxies.Contains(remote) || _forwarded.KnownProxies.Contains(mapped)
            || _forwarded.KnownIPNetworks.Any(network => network.Contains(remote) || network.Contains(mapped));
    }

    /// <summary>An admitted upgrade: what its answer and its session need, and the connection slot it holds.</summary>
    internal sealed record Taken(string AcceptKey, string? Extensions, string Partition, OutboxBudget Budget, string Address);
}
