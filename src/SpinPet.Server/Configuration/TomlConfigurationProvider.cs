using Microsoft.Extensions.Configuration;

namespace SpinPet.Server.Configuration;

/// <summary>Loads one TOML file into flat configuration keys (see <see cref="TomlConfigurationParser"/>).</summary>
internal sealed class TomlConfigurationProvider(TomlConfigurationSource source) : FileConfigurationProvider(source)
{
    public override void Load(Stream stream)
    {
        using var reader = new StreamReader(stream);
        Data = TomlConfigurationParser.Parse(reader.ReadToEnd(), DisplayPath);
    }

    /// <summary>The physical file, for errors: not the bare relative path the source was given.</summary>
    public string DisplayPath => Source.FileProvider?.GetFileInfo(Source.Path ?? "").PhysicalPath ?? Source.Path ?? "";
}
