using Microsoft.Extensions.Options;
using SpinPet.Server.Configuration;

namespace SpinPet.Server.Hosting;

internal static class CorsSetup
{
    private const string Policy = "spinpet-rest";

    /// <summary>
    /// CORS for the REST routes from <c>[cors]</c>: any origin for <c>*</c>, else the listed ones; GET and POST (the
    /// API has no other verbs). /ws is not covered: browsers do not apply CORS to WebSockets, which is why it has its
    /// own Origin allow-list (<c>websocket.allowed_origins</c>).
    /// </summary>
    public static IServiceCollection AddSpinPetCors(this IServiceCollection services)
    {
        services.AddCors();
        services.AddOptions<Microsoft.AspNetCore.Cors.Infrastructure.CorsOptions>()
            .Configure<IOptions<Configuration.CorsOptions>>((cors, configured) =>
                cors.AddPolicy(Policy, policy =>
                {
                    var origins = configured.Value.AllowOrigins;
                    if (origins.Contains("*", StringComparer.Ordinal))
                    {
                        policy.AllowAnyOrigin();
                    }
                    else
                    {
                        policy.WithOrigins(origins);
                    }
                    policy.WithMethods("GET", "POST").AllowAnyHeader();
                }));
        return services;
    }

    public static WebApplication UseSpinPetCors(this WebApplication app)
    {
        if (app.Services.GetRequiredService<IOptions<Configuration.CorsOptions>>().Value.Enabled)
        {
            app.UseCors(Policy);
        }
        return app;
    }
}
