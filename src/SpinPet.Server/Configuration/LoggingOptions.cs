using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;

namespace SpinPet.Server.Configuration;

/// <summary><c>[logging]</c>.</summary>
internal sealed record LoggingOptions
{
    public const string Section = "logging";

    /// <summary>Minimum level: trace, debug, info, warn, error, critical or none (the .NET names work too).</summary>
    [ConfigurationKeyName("level")]
    public string Level { get; init; } = "info";

    [ConfigurationKeyName("format")]
    public LogFormat Format { get; init; } = LogFormat.Text;

    /// <summary><see cref="Level"/> as a <see cref="LogLevel"/>; validation guarantees it parses.</summary>
    public LogLevel MinimumLevel => TryParseLevel(Level, out var level) ? level : LogLevel.Information;

    public static bool TryParseLevel(string? text, out LogLevel level)
    {
        // The design document's short names (Rust's tracing levels) and the .NET names both work.
        LogLevel? parsed = text?.Trim().ToLowerInvariant() switch
        {
            "trace" => LogLevel.Trace,
            "debug" => LogLevel.Debug,
            "info" or "information" => LogLevel.Information,
            "warn" or "warning" => LogLevel.Warning,
            "error" => LogLevel.Error,
            "critical" or "fatal" => LogLevel.Critical,
            "none" or "off" => LogLevel.None,
            _ => null,
        };
        level = parsed ?? LogLevel.Information;
        return parsed is not null;
    }
}
