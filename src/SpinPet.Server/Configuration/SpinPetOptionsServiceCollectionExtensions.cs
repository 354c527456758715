using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using SpinPet.Indexer.Metadata;
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

        var sections = new List<string>();
        services.AddSection<ServerOptions, ServerOptionsValidator>(configuration, ServerOptions.Section, sections);
        services.AddSection<RestOptions, RestOptionsValidator>(configuration, RestOptions.Section, sections);
        services.AddSection<KlineOptions, KlineOptionsValidator>(configuration, KlineOptions.Section, sections);
        services.AddSection<WebSocketOptions, WebSocketOptionsValidator>(configuration, WebSocketOptions.Section, sections);
        services.AddSection<SecurityOptions, SecurityOptionsValidator>(configuration, SecurityOptions.Section, sections);
        services.AddSection<CorsOptions, CorsOptionsValidator>(configuration, CorsOptions.Section, sections);
        services.AddSection<IpfsOptions, IpfsOptionsValidator>(configuration, IpfsOptions.Section, sections);
        // ASP.NET Core reads the same section (keys ignore case: "Logging:LogLevel:Default", "Logging:Console:…"),
        // so keys this record does not know are not typos there.
        services.AddSection<LoggingOptions, LoggingOptionsValidator>(configuration, LoggingOptions.Section, sections, rejectUnknownKeys: false);
        services.AddSection<SimulatorSettings, SimulatorSettingsValidator>(configuration, SimulatorSettings.Section, sections);
        services.AddSection<DatabaseOptions, DatabaseOptionsValidator>(configuration, DatabaseOptions.Section, sections);
        services.AddSection<SolanaOptions, SolanaOptionsValidator>(configuration, SolanaOptions.Section, sections);
        services.AddSection<ClusterOptions, ClusterOptionsValidator>(configuration, ClusterOptions.Section, sections);

        // Last: a section none of the records above reads is a typo, whichever source set it.
        services.AddOptions<ConfigurationSources>().ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ConfigurationSources>>(
            new ConfigurationSourcesValidator(configuration, sections)));
        return services;
    }

    private static void AddSection<TOptions, TValidator>(
        this IServiceCollection services, IConfiguration configuration, string section, List<string> sections, bool rejectUnknownKeys = true)
        where TOptions : class
        where TValidator : class, IValidateOptions<TOptions>
    {
        sections.Add(section);
        services.AddOptions<TOptions>()
            .Configure(options => OptionsSectionBinder.Bind(configuration, section, options, rejectUnknownKeys))
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<TOptions>, TValidator>());
    }
}
