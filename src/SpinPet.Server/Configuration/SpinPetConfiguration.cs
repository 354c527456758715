using System.Collections;
using Microsoft.Extensions.Configuration;

namespace SpinPet.Server.Configuration;

/// <summary>
/// The configuration sources of the contract (<c>shared/spec/config.md</c>), in this order, later wins:
/// <c>config/default.toml</c> (required), <c>config/{SPIN_ENV}.toml</c> if it exists, <c>SPIN_</c>-prefixed
/// environment variables (<c>SPIN_SOLANA__RPC_URL</c> → <c>solana:rpc_url</c>), then <c>--section:key=value</c>
/// command-line arguments.
/// </summary>
internal static class SpinPetConfiguration
{
    public const string EnvironmentPrefix = "SPIN_";
    public const string EnvironmentNameVariable = "SPIN_ENV";
    public const string ConfigFolderName = "config";
    public const string DefaultFileName = "default.toml";

    /// <summary>
    /// Adds the SpinPet sources to <paramref name="builder"/>. Call it after <c>WebApplication.CreateBuilder</c>
    /// so these sources win over the ASP.NET Core defaults.
    /// </summary>
    /// <param name="contentRoot">The host's content root (the working directory under <c>dotnet run</c>).</param>
    /// <param name="args">The process arguments; only <c>--key=value</c> ones are configuration (see <see cref="ConfigurationArguments"/>).</param>
    /// <param name="environment">The environment variables; null reads the process environment. Tests pass their own.</param>
    public static IConfigurationBuilder AddSpinPetSources(
        this IConfigurationBuilder builder, string contentRoot, string[] args, IDictionary? environment = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(args);

        environment ??= Environment.GetEnvironmentVariables();
        var files = Locate(contentRoot, environment);

        builder.AddTomlFile(files.DefaultFile, optional: false);
        if (files.OverlayFile is not null)
        {
            builder.AddTomlFile(files.OverlayFile, optional: false);
        }
        builder.Add(new SpinPetEnvironmentSource(environment));
        builder.Add(new SpinPetCommandLineSource(ConfigurationArguments(args)));
        return builder;
    }

    /// <summary>
    /// Finds the <c>config/</c> folder and the files to read. Lookup order, first folder holding
    /// <c>default.toml</c> wins (one folder supplies both the defaults and the overlay, never a mix):
    /// <list type="number">
    /// <item><c>{contentRoot}/config</c>: a deployment's working directory (the Docker image's <c>/app</c>), and the
    /// repository root under <c>dotnet run --project src/SpinPet.Server</c> from there, so edits to the repository's
    /// <c>config/</c> apply without a rebuild;</item>
    /// <item><c>{AppContext.BaseDirectory}/config</c>: the copy the build places beside the binary (bin/ or publish/),
    /// used when the process starts from any other folder.</item>
    /// </list>
    /// </summary>
    public static SpinPetConfigurationFiles Locate(string contentRoot, IDictionary environment)
    {
        ArgumentException.ThrowIfNullOrEmpty(contentRoot);
        ArgumentNullException.ThrowIfNull(environment);

        string[] candidates =
        [
            Path.GetFullPath(Path.Combine(contentRoot, ConfigFolderName)),
            Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, ConfigFolderName)),
        ];
        var folder = Array.Find(candidates, c => File.Exists(Path.Combine(c, DefaultFileName)))
            ?? throw new ConfigurationFileException(
                Path.Combine(ConfigFolderName, DefaultFileName),
                "not found; looked in " + string.Join(" and ", candidates.Distinct(StringComparer.Ordinal)));

        var name = environment[EnvironmentNameVariable] as string;
        if (string.IsNullOrWhiteSpace(name))
        {
            return new SpinPetConfigurationFiles(folder, Path.Combine(folder, DefaultFileName), null, null);
        }
        if (!IsSafeFileStem(name))
        {
            // The name becomes part of a file path: refuse '../' and friends rather than read an arbitrary file.
            throw new ConfigurationFileException(
                EnvironmentNameVariable, $"'{name}' is not a valid environment name (letters, digits, '-' and '_')");
        }
        var overlay = Path.Combine(folder, name + ".toml");
        return new SpinPetConfigurationFiles(
            folder, Path.Combine(folder, DefaultFileName), name, File.Exists(overlay) ? overlay : null);
    }

    /// <summary>
    /// Only <c>--key=value</c> (or <c>/key=value</c>) arguments are configuration. A bare flag such as the
    /// <c>--simulator</c> run mode belongs to Program.cs; handed to the command-line provider it would swallow the
    /// next argument as its value (<c>--simulator --server:port=9000</c> would set <c>simulator</c> to that text).
    /// </summary>
    internal static string[] ConfigurationArguments(string[] args) =>
        Array.FindAll(args, a => (a.StartsWith("--", StringComparison.Ordinal) || a.StartsWith('/')) && a.Contains('=', StringComparison.Ordinal));

    private static bool IsSafeFileStem(string name)
    {
        foreach (var c in name)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c != '-' && c != '_')
            {
                return false;
            }
        }
        return true;
    }
}
