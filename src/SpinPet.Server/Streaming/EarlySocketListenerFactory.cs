using System.Net;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;
using Microsoft.Extensions.Options;

namespace SpinPet.Server.Streaming;

/// <summary>
/// Kestrel's transport for the server's listener: with <c>websocket.early_accept</c> on, an
/// <see cref="EarlySocketListener"/> that serves plain <c>/ws</c> upgrades straight off their sockets and hands every
/// other connection to Kestrel as its own socket transport would; otherwise (and for an endpoint that is not an IP
/// address) Kestrel's socket transport itself, configured by the same <see cref="SocketTransportOptions"/>.
/// </summary>
internal sealed class EarlySocketListenerFactory(
    IOptions<SocketTransportOptions> options, ILoggerFactory loggers, IServiceProvider services) : IConnectionListenerFactory
{
    private readonly SocketTransportFactory _kestrels = new(options, loggers);

    public ValueTask<IConnectionListener> BindAsync(EndPoint endpoint, CancellationToken cancellationToken = default)
    {
        var accept = services.GetRequiredService<EarlySocketAccept>();
        if (!accept.IsEnabled || endpoint is not IPEndPoint)
        {
            return _kestrels.BindAsync(endpoint, cancellationToken);
        }
        if (EarlySocketListener.KestrelConnectionOptions(options.Value) is not { } kestrelOptions)
        {
            loggers.CreateLogger<EarlySocketListenerFactory>().LogWarning(
                "This Kestrel makes connections differently; /ws upgrades are taken over Kestrel's transport instead (websocket.early_accept)");
            return _kestrels.BindAsync(endpoint, cancellationToken);
        }
        return ValueTask.FromResult<IConnectionListener>(EarlySocketListener.Bind(endpoint, options.Value, kestrelOptions, accept, loggers));
    }
}
