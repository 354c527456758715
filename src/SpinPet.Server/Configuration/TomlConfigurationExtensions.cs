using Microsoft.Extensions.Configuration;

namespace SpinPet.Server.Configuration;

internal static class TomlConfigurationExtensions
{
    /// <summary>
    /// Adds a TOML file. A relative <paramref name="path"/> resolves against the builder's base path
    /// (<c>SetBasePath</c>), else the app base directory; an absolute one is used as is.
    /// </summary>
    public static IConfigurationBuilder AddTomlFile(this IConfigurationBuilder builder, string path, bool optional = false)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrEmpty(path);

        var source = new TomlConfigurationSource { Path = path, Optional = optional, ReloadOnChange = false };
        // Gives an absolute path its own file provider rooted at its folder, as AddJsonFile does.
        source.ResolveFileProvider();
        return builder.Add(source);
    }
}
