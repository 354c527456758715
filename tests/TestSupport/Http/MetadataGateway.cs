using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace SpinPet.TestSupport.Http;

/// <summary>
/// A real HTTP server on 127.0.0.1 (Kestrel, ephemeral port) standing in for an IPFS gateway, or, over https with a
/// test certificate, for a token's own origin: each request goes to <see cref="Handler"/>; the server counts requests per
/// path, the requests in flight now and the most it ever had in flight at once.
/// Linked into the test projects that need it (not every project references ASP.NET Core).
/// </summary>
internal sealed class MetadataGateway : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<string, int> _hits = new(StringComparer.Ordinal);
    private int _inFlight;
    private int _maxInFlight;

    private MetadataGateway(WebApplication app) => _app = app;

    /// <summary>http://127.0.0.1:port/ipfs/ : what <c>ipfs.gateway_url</c> is set to.</summary>
    public Uri GatewayUrl { get; private set; } = null!;

    public Uri BaseUri { get; private set; } = null!;

    public Func<HttpContext, Task> Handler { get; set; } = context =>
    {
        context.Response.StatusCode = StatusCodes.Status404NotFound;
        return Task.CompletedTask;
    };

    public int MaxInFlight => Volatile.Read(ref _maxInFlight);

    public int InFlight => Volatile.Read(ref _inFlight);

    public int TotalHits => _hits.Values.Sum();

    public int Hits(string path) => _hits.TryGetValue(path, out var n) ? n : 0;

    public static async Task<MetadataGateway> StartAsync(Func<HttpContext, Task>? handler = null, X509Certificate2? certificate = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        if (certificate is null)
        {
            builder.WebHost.UseUrls("http://127.0.0.1:0");
        }
        else
        {
            builder.WebHost.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0, listen => listen.UseHttps(certificate)));
        }
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var gateway = new MetadataGateway(app);
        if (handler is not null)
        {
            gateway.Handler = handler;
        }
        app.Run(gateway.HandleAsync);
        await app.StartAsync();
        var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses;
        var bound = new Uri(addresses.First());
        gateway.BaseUri = new UriBuilder(certificate is null ? "http" : "https", bound.Host, bound.Port, "/").Uri;
        gateway.GatewayUrl = new Uri(gateway.BaseUri, "ipfs/");
        return gateway;
    }

    /// <summary>Writes <paramref name="json"/> as an application/json answer.</summary>
    public static Task JsonAsync(HttpContext context, string json)
    {
        context.Response.ContentType = "application/json";
        return context.Response.WriteAsync(json, context.RequestAborted);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private async Task HandleAsync(HttpContext context)
    {
        _hits.AddOrUpdate(context.Request.Path.Value ?? "", 1, (_, n) => n + 1);
        int now = Interlocked.Increment(ref _inFlight);
        int max;
        while (now > (max = Volatile.Read(ref _maxInFlight)) && Interlocked.CompareExchange(ref _maxInFlight, now, max) != max)
        {
        }
        try
        {
            await Handler(context);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // The client gave up (its timeout): nothing to answer.
        }
        finally
        {
            Interlocked.Decrement(ref _inFlight);
        }
    }
}
