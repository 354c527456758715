using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using SpinPet.Solana.Ingest;

namespace SpinPet.Server.Configuration;

internal static class SpinPetOptionsServiceCollectionExtensions
{
    /// <summary>
    /// Binds every options record of this folder from its section, registers its validator and validates at start-up,
    /// so a bad value stops the host before it listens. <see cref="ConfigurationErrors"/> turns the resulting
    /// exception into one line per problem.
    /// </summary>
    public static IServiceCollection AddSpinPetOptions(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);

        services.AddSection<ServerOptions, ServerOptionsValidator>(configuration, ServerOptions.Section);
        services.AddSection<KlineOptions, KlineOptionsValidator>(configuration, KlineOptions.Section);
        services.AddSection<WebSocketOptions, WebSocketOptionsValidator>(configuration, WebSocketOptions.Section);
        services.AddSection<SecurityOptions, SecurityOptionsValidator>(configuration, SecurityOptions.Section);
        services.AddSection<CorsOptions, CorsOptionsValidator>(configuration, CorsOptions.Section);
        services.AddSection<IpfsOptions, IpfsOptionsValidator>(configuration, IpfsOptions.Section);
        // ASP.NET Core reads the same section (keys ignore case: "Logging:LogLevel:Default", "Logging:Console:…"),
        // so keys this record does not know are not typos there.
        services.AddSection<LoggingOptions, LoggingOptionsValidator>(configuration, LoggingOptions.Section, rejectUnknownKeys: false);
        services.AddSection<SimulatorSettings, SimulatorSettingsValidator>(configuration, SimulatorSettings.Section);
        services.AddSection<DatabaseOptions, DatabaseOptionsValidator>(configuration, DatabaseOptions.Section);
        services.AddSection<SolanaOptions, SolanaOptionsValidator>(configuration, SolanaOptions.Section);
        return services;
    }

    private static void AddSection<TOptions, TValidator>(
        this IServiceCollection services, IConfiguration configuration, string section, bool rejectUnknownKeys = true)
        where TOptions : class
        where TValidator : class, IValidateOptions<TOptions>
    {
        services.AddOptions<TOptions>()
            .Configure(options => OptionsSectionBinder.Bind(configuration, section, options, rejectUnknownKeys))
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<TOptions>, TValidator>());
    }
}
