using SpinPet.Server.Api;
using SpinPet.Server.Candles;
using SpinPet.Server.Cluster;
using SpinPet.Server.Configuration;
using SpinPet.Server.Health;
using SpinPet.Server.Ingest;
using SpinPet.Indexer.Metadata;
using SpinPet.Server.Observability;
using SpinPet.Server.SocketIO;
using SpinPet.Server.Storage;
using SpinPet.Server.Streaming;
using SpinPet.Server.Web;

namespace SpinPet.Server.Hosting;

/// <summary>
/// The server's services and routes in one place, so that <c>Program.cs</c> and the tests that host the real server
/// in-process compose exactly the same thing.
/// </summary>
internal static class ServerComposition
{
    /// <summary>Kestrel's endpoint and every feature's services (logging and the simulator are the caller's).</summary>
    public static WebApplicationBuilder AddSpinPetServer(this WebApplicationBuilder builder)
    {
        builder.UseSpinPetEndpoint();
        var services = builder.Services;
        services.AddSpinPetOptions(builder.Configuration);
        services.AddSpinPetStorage();
        services.AddSpinPetCandles();
        // A cluster node runs the ingest only while it holds the lease (AddSpinPetCluster), never as a hosted service.
        services.AddSpinPetIngest(hosted: !ClusterServiceCollectionExtensions.IsNatsCluster(builder.Configuration));
        services.AddSpinPetTokenMetadata();
        services.AddSpinPetStreaming();
        services.AddSpinPetSocketIO();
        services.AddSpinPetHealth();
        services.AddSpinPetCors();
        services.AddSpinPetForwardedHeaders();
        services.AddSpinPetRateLimiting();
        services.AddSingleton<ApiExceptionHandler>();
        services.AddSpinPetOpenApi();
        services.AddSingleton<IdleMemoryTrimmer>();
        services.AddHostedService(static sp => sp.GetRequiredService<IdleMemoryTrimmer>());
        services.AddSpinPetMetrics();
        services.AddSpinPetCluster(builder.Configuration);
        return builder;
    }

    /// <summary>
    /// The middleware every request passes, in order: the client address from a trusted proxy's
    /// <c>X-Forwarded-For</c> (so all that follows sees the client), the JSON 500 for an exception nothing else caught,
    /// CORS (before the limiter, so a browser can read a 429), the per-address rate limiter, then the chart page's files.
    /// </summary>
    public static WebApplication UseSpinPetMiddleware(this WebApplication app)
    {
        app.UseSpinPetForwardedHeaders();
        app.UseExceptionHandler(app.Services.GetRequiredService<ApiExceptionHandler>().Options);
        app.UseSpinPetCors();
        app.UseRateLimiter();
        app.UseChartPage();
        return app;
    }

    /// <summary>Every route: health, metrics, REST, <c>/ws</c>, OpenAPI, and the API's 404 fallback last.</summary>
    public static WebApplication MapSpinPetEndpoints(this WebApplication app)
    {
        app.MapSpinPetHealth();
        app.MapSpinPetMetrics();
        app.MapEventsStatus();
        app.MapKline();
        app.MapKlineSocket();
        app.MapSpinPetSocketIO();
        app.MapKlineStatus();
        app.MapEvents();
        app.MapMints();
        app.MapOrders();
        app.MapUserEvents();
        app.MapTime();
        app.MapKlineSubscriptions();
        app.MapSpinPetOpenApi();
        app.MapApiFallback();
        return app;
    }
}
