using System.Globalization;
using Microsoft.Extensions.Options;

namespace SpinPet.Server.Configuration;

internal sealed class WebSocketOptionsValidator : IValidateOptions<WebSocketOptions>
{
    // A subscribe request with a 44-character mint is about 130 bytes; below 256 legitimate requests would close.
    private const int MinMessageBytes = 256;

    // Frames are buffered whole before parsing, so the bound is also per-connection memory.
    private const int MaxMessageBytes = 16 * 1024 * 1024;

    // The outbox must hold the largest single reply with room to spare, or a client asking for it would always be
    // closed: a 1,000-candle history_data is at most 272 KB, a greeting with 10,000 symbols at most 480 KB
    // (both measured in SpinPet.Streaming.Tests MessageSizeTests).
    private const int MinOutboxBytes = 512 * 1024;

    public ValidateOptionsResult Validate(string? name, WebSocketOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new OptionsFailures(WebSocketOptions.Section);
        // Pings go out from the sessions' once-a-second sweep: a shorter interval would not be honoured.
        failures.AtLeast("ping_interval", options.PingInterval, 1000);
        if (options.PingTimeout <= options.PingInterval)
        {
            // Otherwise a healthy client is dropped before it was even pinged.
            failures.Add("ping_timeout", $"{options.PingTimeout} must be greater than websocket.ping_interval ({options.PingInterval})");
        }
        failures.AtLeast("max_connections", options.MaxConnections, 1);
        failures.Range("max_message_bytes", options.MaxMessageBytes, MinMessageBytes, MaxMessageBytes);
        failures.AtLeast("max_messages_per_second", options.MaxMessagesPerSecond, 1);
        failures.AtLeast("message_burst", options.MessageBurst, 1);
        failures.AtLeast("max_connections_per_ip", options.MaxConnectionsPerIp, 1);
        failures.AtLeast("max_outbox_bytes", options.MaxOutboxBytes, MinOutboxBytes);
        // The same floor for an address's budget: below it one client of the address could not be sent the largest
        // reply even with every other connection of its address idle.
        failures.AtLeast("max_outbox_bytes_per_ip", options.MaxOutboxBytesPerIp, MinOutboxBytes);
        if (options.MaxOutboxBytesTotal < options.MaxOutboxBytesPerIp)
        {
            // Otherwise no address could ever use its own budget.
            failures.Add("max_outbox_bytes_total", string.Create(CultureInfo.InvariantCulture,
                $"{options.MaxOutboxBytesTotal} must be at least websocket.max_outbox_bytes_per_ip ({options.MaxOutboxBytesPerIp})"));
        }
        failures.Origins("allowed_origins", options.AllowedOrigins);
        return failures.Result();
    }
}
