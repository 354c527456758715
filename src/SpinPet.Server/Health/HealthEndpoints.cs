using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace SpinPet.Server.Health;

internal static class HealthEndpoints
{
    public static IServiceCollection AddSpinPetHealth(this IServiceCollection services)
    {
        // One instance for the host: the storage check keeps its write-probe rate limit between requests.
        services.AddSingleton<StorageHealthCheck>();
        services.AddHealthChecks()
            .AddCheck<StorageHealthCheck>("storage")
            .AddCheck<IngestHealthCheck>("ingest");
        return services;
    }

    /// <summary>
    /// <c>/health</c>: 200 when healthy or degraded (the server still serves history), 503 when unhealthy, with a
    /// JSON body naming each check's status and reason. Not rate limited: a probe must not fail because clients at its
    /// address (or behind the same proxy) are busy; a probe writes at most once per 10 s whatever the request rate.
    /// </summary>
    public static IEndpointRouteBuilder MapSpinPetHealth(this IEndpointRouteBuilder routes)
    {
        routes.MapHealthChecks("/health", new HealthCheckOptions
        {
            ResponseWriter = WriteAsync,
            ResultStatusCodes =
            {
                [HealthStatus.Healthy] = StatusCodes.Status200OK,
                [HealthStatus.Degraded] = StatusCodes.Status200OK,
                [HealthStatus.Unhealthy] = StatusCodes.Status503ServiceUnavailable,
            },
        }).DisableRateLimiting();
        return routes;
    }

    private static async Task WriteAsync(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "application/json";
        await using var writer = new Utf8JsonWriter(context.Response.Body);
        writer.WriteStartObject();
        writer.WriteString("status", report.Status.ToString().ToLowerInvariant());
        writer.WriteStartObject("checks");
        foreach (var (name, entry) in report.Entries)
        {
            writer.WriteStartObject(name);
            writer.WriteString("status", entry.Status.ToString().ToLowerInvariant());
            writer.WriteString("description", entry.Description);
            writer.WriteEndObject();
        }
        writer.WriteEndObject();
        writer.WriteEndObject();
    }
}
