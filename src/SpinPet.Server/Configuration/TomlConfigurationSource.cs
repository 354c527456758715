using Microsoft.Extensions.Configuration;

namespace SpinPet.Server.Configuration;

/// <summary>A TOML file as a configuration source; file lookup, optional files and reloads come from the base class.</summary>
internal sealed class TomlConfigurationSource : FileConfigurationSource
{
    public override IConfigurationProvider Build(IConfigurationBuilder builder)
    {
        EnsureDefaults(builder);
        return new TomlConfigurationProvider(this);
    }
}
