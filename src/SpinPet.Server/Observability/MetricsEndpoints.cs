using Microsoft.Extensions.Options;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using SpinPet.Indexer;
using SpinPet.Server.Configuration;
using SpinPet.Indexer.Metadata;
using SpinPet.Solana.Ingest;
using SpinPet.Storage;

namespace SpinPet.Server.Observability;

internal static class MetricsEndpoints
{
    public const string Path = "/metrics";

    /// <summary>
    /// OpenTelemetry metrics with a Prometheus exporter: the server's own meter (<see cref="SpinPetMetrics"/>),
    /// the runtime's (GC, thread pool, memory: built into .NET 9+) and ASP.NET Core's (requests, connections).
    /// The meter provider, and with it <see cref="SpinPetMetrics"/>, starts with the host and is disposed with it.
    /// </summary>
    public static IServiceCollection AddSpinPetMetrics(this IServiceCollection services)
    {
        services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService("spinpet-server"))
            .WithMetrics(metrics => metrics
                .AddInstrumentation(sp => new SpinPetMetrics(
                    sp.GetRequiredService<IngestStatus>(),
                    sp.GetRequiredService<SpinPetStore>(),
                    sp.GetRequiredService<SpinPetIndexer>(),
                    sp.GetRequiredService<TokenMetadataCounters>(),
                    sp.GetRequiredService<TokenMetadataQueue>(),
                    System.IO.Path.GetFullPath(sp.GetRequiredService<IOptions<DatabaseOptions>>().Value.RocksDbPath),
                    sp.GetRequiredService<TimeProvider>()))
                .AddMeter(SpinPetMetrics.MeterName, "System.Runtime", "Microsoft.AspNetCore.Hosting", "Microsoft.AspNetCore.Server.Kestrel",
                    "Microsoft.AspNetCore.RateLimiting")
                .AddView(SpinPetMetrics.BroadcastLatencyName, new ExplicitBucketHistogramConfiguration { Boundaries = SpinPetMetrics.BroadcastLatencyBucketsMs })
                .AddView(SpinPetMetrics.LiveApplyLatencyName, new ExplicitBucketHistogramConfiguration { Boundaries = SpinPetMetrics.LiveApplyLatencyBucketsMs })
                .AddPrometheusExporter());
        return services;
    }

    /// <summary>
    /// <c>GET /metrics</c>: every instrument in the Prometheus text exposition format. Not rate limited, like /health:
    /// a scraper shares its address with no one's budget (the exporter caches a scrape for 300 ms).
    /// </summary>
    public static IEndpointRouteBuilder MapSpinPetMetrics(this IEndpointRouteBuilder routes)
    {
        routes.MapPrometheusScrapingEndpoint(Path).DisableRateLimiting();
        return routes;
    }
}
