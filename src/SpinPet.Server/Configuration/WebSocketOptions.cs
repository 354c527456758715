using Microsoft.Extensions.Configuration;

namespace SpinPet.Server.Configuration;

/// <summary><c>[websocket]</c>: limits and keep-alive of <c>/ws</c> connections. Times are milliseconds.</summary>
internal sealed record WebSocketOptions
{
    public const string Section = "websocket";

    [ConfigurationKeyName("ping_interval")]
    public int PingInterval { get; init; } = 25_000;

    /// <summary>A connection from which nothing arrived for this long is closed.</summary>
    [ConfigurationKeyName("ping_timeout")]
    public int PingTimeout { get; init; } = 60_000;

    [ConfigurationKeyName("max_connections")]
    public int MaxConnections { get; init; } = 10_000;

    /// <summary>Larger inbound frames close the connection with 1009.</summary>
    [ConfigurationKeyName("max_message_bytes")]
    public int MaxMessageBytes { get; init; } = 65_536;

    /// <summary>Refill rate of the per-connection inbound token bucket.</summary>
    [ConfigurationKeyName("max_messages_per_second")]
    public int MaxMessagesPerSecond { get; init; } = 50;

    /// <summary>Size of the per-connection inbound token bucket.</summary>
    [ConfigurationKeyName("message_burst")]
    public int MessageBurst { get; init; } = 200;

    /// <summary>
    /// What one connection's outgoing queue may hold, in bytes (docs/protocol.md, "Slow consumers"); a client past it
    /// is closed with 1008.
    /// </summary>
    [ConfigurationKeyName("max_outbox_bytes")]
    public int MaxOutboxBytes { get; init; } = 1_048_576;

    /// <summary>
    /// What the outboxes of one address's connections (an IPv4 address, an IPv6 /64) may hold together beyond the
    /// first 64 KiB of each; a client that needs more than its address has left is closed with 1008 (docs/security.md).
    /// </summary>
    [ConfigurationKeyName("max_outbox_bytes_per_ip")]
    public long MaxOutboxBytesPerIp { get; init; } = 16L * 1024 * 1024;

    /// <summary>What every outbox together may hold beyond the first 64 KiB of each; the budget the addresses' draw on.</summary>
    [ConfigurationKeyName("max_outbox_bytes_total")]
    public long MaxOutboxBytesTotal { get; init; } = 256L * 1024 * 1024;

    [ConfigurationKeyName("max_connections_per_ip")]
    public int MaxConnectionsPerIp { get; init; } = 1000;

    /// <summary>Accept a client's permessage-deflate offer (RFC 7692); clients that offer none are served plain.</summary>
    [ConfigurationKeyName("compression")]
    public bool Compression { get; init; }

    /// <summary>
    /// Plaintext /ws connections write their frames straight to the socket instead of through Kestrel's output pipe
    /// (decision record 0002): less CPU per frame. TLS connections always use the pipe. Off = the pipe for all.
    /// </summary>
    [ConfigurationKeyName("direct_send")]
    public bool DirectSend { get; init; } = true;

    /// <summary>
    /// A plaintext <c>/ws</c> upgrade that is a connection's first request is taken before Kestrel creates its HTTP
    /// objects for it (decision record 0014) and, when it arrives whole, served off the bare socket by our listener
    /// without Kestrel's transport (0015): less memory per connection. Any other request, and any upgrade it does not
    /// fully vouch for or would refuse, goes through Kestrel as before. Off = Kestrel's listener, all through Kestrel.
    /// </summary>
    [ConfigurationKeyName("early_accept")]
    public bool EarlyAccept { get; init; } = true;

    /// <summary>Browser Origin allow-list; empty (or <c>*</c>) accepts any origin.</summary>
    [ConfigurationKeyName("allowed_origins")]
    public string[] AllowedOrigins { get; init; } = [];
}
