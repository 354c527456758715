using System.Net;
using Microsoft.Extensions.Options;
using SpinPet.Server.Configuration;

namespace SpinPet.Server.Hosting;

internal static class KestrelSetup
{
    /// <summary>Listens on <c>server.host</c>:<c>server.port</c> (validated options; port 0 picks a free port).</summary>
    public static WebApplicationBuilder UseSpinPetEndpoint(this WebApplicationBuilder builder)
    {
        // Socket sends run on the thread that flushes instead of hopping to Kestrel's IO queue: a kline frame
        // reaches the kernel in the same call, one thread switch fewer per frame per connection
        // (docs/decisions/0002-inline-socket-scheduling.md). Safe here because nothing of ours blocks in a
        // continuation of a socket operation for long (history reads are bounded RocksDB range reads).
        builder.WebHost.UseSockets(sockets => sockets.UnsafePreferInlineScheduling = true);
        builder.WebHost.ConfigureKestrel((context, kestrel) =>
        {
            var server = kestrel.ApplicationServices.GetRequiredService<IOptions<ServerOptions>>().Value;
            if (IPAddress.TryParse(server.Host, out var address))
            {
                kestrel.Listen(address, server.Port);
            }
            else if (string.Equals(server.Host, "localhost", StringComparison.OrdinalIgnoreCase))
            {
                kestrel.ListenLocalhost(server.Port);
            }
            else
            {
                kestrel.ListenAnyIP(server.Port);
            }
        });
        return builder;
    }
}
