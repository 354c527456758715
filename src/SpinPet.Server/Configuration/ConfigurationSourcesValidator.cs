using Microsoft.Extensions.Options;

namespace SpinPet.Server.Configuration;

/// <summary>
/// Refuses a section that no options record reads, from any SpinPet source: a typo such as <c>SPIN_CLUSTR__MODE</c>
/// or <c>[websockets]</c> would otherwise be ignored without a word. The host's own sources (every environment
/// variable, <c>ASPNETCORE_*</c>, <c>DOTNET_*</c>, appsettings) are not ours to judge and are left alone.
/// </summary>
internal sealed class ConfigurationSourcesValidator(IConfiguration configuration, IReadOnlyCollection<string> sections)
    : IValidateOptions<ConfigurationSources>
{
    public ValidateOptionsResult Validate(string? name, ConfigurationSources options)
    {
        if (configuration is not IConfigurationRoot root)
        {
            return ValidateOptionsResult.Skip;
        }
        var known = string.Join(", ", sections.Order(StringComparer.Ordinal));
        // Unknown section → where it was set, in source order, each place once.
        var unknown = new Dictionary<string, List<string>>(StringComparer.OrdinalIgnoreCase);
        var failures = new List<string>();
        foreach (var provider in root.Providers)
        {
            foreach (var section in provider.GetChildKeys([], null).Distinct(StringComparer.OrdinalIgnoreCase))
            {
                if (sections.Contains(section, StringComparer.OrdinalIgnoreCase))
                {
                    continue;
                }
                if (!provider.GetChildKeys([], section).Any())
                {
                    // A value outside any section: SPIN_SERVER_PORT (one underscore), a key above the first TOML table.
                    if (OutsideSections(provider, section) is { } line)
                    {
                        failures.Add(line);
                    }
                    continue;
                }
                var origins = Origins(provider, section);
                if (origins.Count > 0)
                {
                    if (!unknown.TryGetValue(section, out var list))
                    {
                        unknown[section] = list = [];
                    }
                    list.AddRange(origins.Where(o => !list.Contains(o, StringComparer.Ordinal)));
                }
            }
        }
        foreach (var (section, origins) in unknown)
        {
            failures.Add($"{section.ToLowerInvariant()}: unknown section (set by {string.Join(", ", origins)}; known sections: {known})");
        }
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    /// <summary>Where a section's keys came from, for the providers that are ours; empty for the host's.</summary>
    private static List<string> Origins(IConfigurationProvider provider, string section) => provider switch
    {
        SpinPetEnvironmentProvider environment => [.. environment.VariablesOf(section)],
        SpinPetCommandLineProvider => [.. provider.GetChildKeys([], section).Distinct(StringComparer.OrdinalIgnoreCase)
            .Select(child => $"--{section}:{child}")],
        TomlConfigurationProvider toml => [toml.DisplayPath],
        _ => [],
    };

    private static string? OutsideSections(IConfigurationProvider provider, string key) => provider switch
    {
        SpinPetEnvironmentProvider environment =>
            $"{string.Join(", ", environment.VariablesOf(key))}: not a setting; settings are SPIN_<SECTION>__<KEY>, two underscores between section and key (e.g. SPIN_SERVER__PORT)",
        SpinPetCommandLineProvider => $"--{key}: not a setting; settings are --section:key=value (e.g. --server:port=9000)",
        TomlConfigurationProvider toml => $"{toml.DisplayPath}: '{key}' is outside any [section]; every setting belongs to one",
        _ => null,
    };
}
