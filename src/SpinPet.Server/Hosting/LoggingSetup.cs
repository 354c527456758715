using Microsoft.Extensions.Logging.Console;
using SpinPet.Server.Configuration;

namespace SpinPet.Server.Hosting;

internal static class LoggingSetup
{
    /// <summary>
    /// Console logging at <c>logging.level</c>, as text or one JSON object per line (<c>logging.format</c>).
    /// ASP.NET Core's per-request lines stay at warning: at thousands of requests per second they would be noise.
    /// </summary>
    public static WebApplicationBuilder AddSpinPetLogging(this WebApplicationBuilder builder)
    {
        var section = builder.Configuration.GetSection(LoggingOptions.Section);
        LoggingOptions.TryParseLevel(section["level"], out var level);
        builder.Logging.ClearProviders();
        if (string.Equals(section["format"], "json", StringComparison.OrdinalIgnoreCase))
        {
            builder.Logging.AddJsonConsole(o => o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ ");
        }
        else
        {
            builder.Logging.AddSimpleConsole(o =>
            {
                o.SingleLine = true;
                o.TimestampFormat = "HH:mm:ss.fff ";
                o.UseUtcTimestamp = true;
            });
        }
        // A console nobody reads (a stalled log pipe, a full disk behind it) must not stop the process: past the queue's
        // bound a line is dropped, and the logger says how many it dropped once it can write again. The default blocks
        // the logging thread, which may be the ingest's or a socket's.
        builder.Services.Configure<ConsoleLoggerOptions>(o => o.QueueFullMode = ConsoleLoggerQueueFullMode.DropWrite);
        builder.Logging.SetMinimumLevel(level);
        builder.Logging.AddFilter("Microsoft", LogLevel.Warning);
        builder.Logging.AddFilter("System.Net.Http", LogLevel.Warning);
        // "Now listening on: …" and "Application started" tell an operator (and the tests) where the server is.
        builder.Logging.AddFilter("Microsoft.Hosting.Lifetime", LogLevel.Information);
        return builder;
    }
}
