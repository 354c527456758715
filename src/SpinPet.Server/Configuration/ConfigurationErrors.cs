using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;

namespace SpinPet.Server.Configuration;

/// <summary>
/// Turns a start-up failure caused by configuration into one readable line per problem, each naming its key or
/// file, so Program.cs can print them and exit with <see cref="ExitCode"/> instead of showing a stack trace:
/// <code>
/// catch (Exception e) when (ConfigurationErrors.TryDescribe(e, out var problems))
/// {
///     foreach (var problem in problems) Console.Error.WriteLine(problem);
///     return ConfigurationErrors.ExitCode;
/// }
/// </code>
/// </summary>
internal static partial class ConfigurationErrors
{
    /// <summary>The process exit code for "the configuration is wrong" (1 stays "crashed").</summary>
    public const int ExitCode = 2;

    /// <summary>
    /// True when <paramref name="exception"/> (or, for an aggregate, every exception in it) is a configuration
    /// problem: options validation, a value the binder could not convert, or a missing or broken TOML file.
    /// Anything else returns false so a genuine bug keeps its stack trace.
    /// </summary>
    public static bool TryDescribe(Exception exception, out IReadOnlyList<string> problems)
    {
        ArgumentNullException.ThrowIfNull(exception);
        var lines = new List<string>();
        var described = Describe(exception, lines);
        problems = described ? lines : [];
        return described;
    }

    private static bool Describe(Exception exception, List<string> lines)
    {
        switch (exception)
        {
            case AggregateException aggregate:
                var all = aggregate.InnerExceptions.Count > 0;
                foreach (var inner in aggregate.InnerExceptions)
                {
                    all &= Describe(inner, lines);
                }
                return all;
            case Cluster.ClusterStartException:
                lines.Add(exception.Message);
                return true;
            case OptionsValidationException validation:
                lines.AddRange(validation.Failures);
                return true;
            case InvalidOperationException when BinderFailure().Match(exception.Message) is { Success: true } match:
                // Options bound with the stock binder elsewhere (e.g. SPIN_SOLANA__RPC_TIMEOUT_MS=abc).
                lines.Add($"{match.Groups["path"].Value.Replace(':', '.').ToLowerInvariant()}: " +
                    $"'{match.Groups["value"].Value}' is not a valid {FriendlyType(match.Groups["type"].Value)}");
                return true;
        }

        // The file providers wrap parse errors ("Failed to load configuration from file …"); the cause names the
        // file, line and column.
        for (var e = exception; e is not null; e = e.InnerException)
        {
            if (e is ConfigurationFileException file)
            {
                lines.Add(file.Message);
                return true;
            }
        }
        return false;
    }

    private static string FriendlyType(string clrType) => clrType switch
    {
        "System.Int32" or "System.Int64" or "System.UInt32" or "System.UInt64" or "System.Int16" or "System.UInt16"
            or "System.Byte" => "integer",
        "System.Double" or "System.Single" or "System.Decimal" => "number",
        "System.Boolean" => "boolean (true or false)",
        "System.TimeSpan" => "time span (hh:mm:ss)",
        "System.Uri" => "URL",
        _ => clrType,
    };

    // Microsoft.Extensions.Configuration.Binder: "Failed to convert configuration value 'abc' at 'server:port' to type 'System.Int32'."
    [GeneratedRegex(@"(?s)^Failed to convert configuration value '(?<value>.*)' at '(?<path>[^']+)' to type '(?<type>[^']+)'")]
    private static partial Regex BinderFailure();
}
