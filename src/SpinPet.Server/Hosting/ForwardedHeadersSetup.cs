using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.Extensions.Options;
using SpinPet.Server.Configuration;

namespace SpinPet.Server.Hosting;

/// <summary>
/// Behind a reverse proxy (<c>server.forwarded_headers</c>): ASP.NET Core's forwarded-headers middleware replaces the
/// connection's remote address with the client's from <c>X-Forwarded-For</c>, but only for requests that arrive from
/// <c>server.known_proxies</c>. Everything after it (the REST rate limiter, the <c>/ws</c> per-IP connection limit,
/// session logs) then sees the client. docs/security.md, "Hostile REST clients and proxies".
/// </summary>
internal static class ForwardedHeadersSetup
{
    public static IServiceCollection AddSpinPetForwardedHeaders(this IServiceCollection services)
    {
        services.AddOptions<ForwardedHeadersOptions>().Configure<IOptions<ServerOptions>>((forwarded, server) =>
        {
            forwarded.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto;
            // The defaults trust loopback; only the configured proxies are trusted here, so a client on the same host
            // as the server cannot pick its own address.
            forwarded.KnownProxies.Clear();
            forwarded.KnownIPNetworks.Clear();
            foreach (var proxy in server.Value.KnownProxies)
            {
                // Validated at start (ServerOptionsValidator): every entry parses.
                if (KnownProxy.TryParse(proxy, out var network))
                {
                    forwarded.KnownIPNetworks.Add(network);
                }
            }
            // No fixed hop count: the middleware walks X-Forwarded-For from the right while the hop it came from is a
            // known proxy (a CDN in front of a load balancer, both listed), and stops at the first address that is not.
            forwarded.ForwardLimit = null;
        });
        return services;
    }

    public static WebApplication UseSpinPetForwardedHeaders(this WebApplication app)
    {
        if (app.Services.GetRequiredService<IOptions<ServerOptions>>().Value.ForwardedHeaders)
        {
            app.UseForwardedHeaders();
        }
        return app;
    }
}
