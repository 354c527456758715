using SpinPet.Server.Api;
using SpinPet.Server.Candles;
using SpinPet.Server.Configuration;
using SpinPet.Server.Health;
using SpinPet.Server.Ingest;
using SpinPet.Server.Metadata;
using SpinPet.Server.Observability;
using SpinPet.Server.Storage;
using SpinPet.Server.Streaming;

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
        services.AddSpinPetIngest();
        services.AddSpinPetTokenMetadata();
        services.AddSpinPetStreaming();
        services.AddSpinPetHealth();
        services.AddSpinPetCors();
        services.AddSpinPetOpenApi();
        services.AddSpinPetMetrics();
        return builder;
    }

    /// <summary>Every route: health, metrics, REST, <c>/ws</c>, OpenAPI, and the API's 404 fallback last.</summary>
    public static WebApplication MapSpinPetEndpoints(this WebApplication app)
    {
        app.MapSpinPetHealth();
        app.MapSpinPetMetrics();
        app.MapEventsStatus();
        app.MapKline();
        app.MapKlineSocket();
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
