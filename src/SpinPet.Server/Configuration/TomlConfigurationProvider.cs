using Microsoft.Extensions.Configuration;

namespace SpinPet.Server.Configuration;

/// <summary>Loads one TOML file into flat configuration keys (see <see cref="TomlConfigurationParser"/>).</summary>
internal sealed class TomlConfigurationProvider(TomlConfigurationSource source) : FileConfigurationProvider(source)
{
    public override void Load(Stream stream)
    {
        using var reader = new StreamReader(stream);
        Data = TomlConfigurationParser.Parse(reader.ReadToEnd(), DisplayPath());
    }

    // Errors name the physical file, not the bare relative path the source was given.
    private string DisplayPath()
    {
        var path = Source.Path ?? "";
        return Source.FileProvider?.GetFileInfo(path).PhysicalPath ?? path;
    }
}
