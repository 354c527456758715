using System.Net;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using SpinPet.Server.Configuration;
using SpinPet.Server.Streaming;

namespace SpinPet.Server.Hosting;

internal static class KestrelSetup
{
    private const int ReadAheadBytes = 64 * 1024;

    /// <summary>Listens on <c>server.host</c>:<c>server.port</c> (validated options; port 0 picks a free port).</summary>
    public static WebApplicationBuilder UseSpinPetEndpoint(this WebApplicationBuilder builder)
    {
        // Socket sends run on the thread that flushes instead of hopping to Kestrel's IO queue: a kline frame
        // reaches the kernel in the same call, one thread switch fewer per frame per connection
        // (docs/decisions/0002-inline-socket-scheduling.md). Safe here because nothing of ours blocks in a
        // continuation of a socket operation for long (history reads are bounded RocksDB range reads). It is also what
        // lets /ws write straight to the socket (websocket.direct_send): the 101 response leaves within UpgradeAsync.
        builder.WebHost.UseSockets(sockets =>
        {
            sockets.UnsafePreferInlineScheduling = true;
            // What the transport reads ahead of the application per connection (default 1 MiB). A /ws client that
            // keeps sending while its session does not read (the reader waits to send a pong behind a send the client
            // does not take) would hold that much; the reader takes one frame at a time and needs no read-ahead, and a
            // request line plus headers (40 KB at most) still fit. docs/security.md, "A hostile WebSocket client".
            sockets.MaxReadBufferSize = ReadAheadBytes;
        });
        // The listener is ours so that plain /ws upgrades can be served off their sockets without Kestrel's transport
        // (websocket.early_accept, decision record 0015); everything else it hands to Kestrel as Kestrel's own would.
        builder.Services.RemoveAll<IConnectionListenerFactory>();
        builder.Services.AddSingleton<IConnectionListenerFactory, EarlySocketListenerFactory>();
        builder.WebHost.ConfigureKestrel((context, kestrel) =>
        {
            // The same bound where a connection adapter (TLS) puts a pipe of its own between transport and application.
            kestrel.Limits.MaxRequestBufferSize = ReadAheadBytes;
            var server = kestrel.ApplicationServices.GetRequiredService<IOptions<ServerOptions>>().Value;
            if (IPAddress.TryParse(server.Host, out var address))
            {
                kestrel.Listen(address, server.Port, listen => EarlySocketAccept.Install(listen));
            }
            else if (string.Equals(server.Host, "localhost", StringComparison.OrdinalIgnoreCase))
            {
                kestrel.ListenLocalhost(server.Port, listen => EarlySocketAccept.Install(listen));
            }
            else
            {
                kestrel.ListenAnyIP(server.Port, listen => EarlySocketAccept.Install(listen));
            }
        });
        return builder;
    }
}
