using SpinPet.Core.Candles;

namespace SpinPet.Streaming;

/// <summary>The limits and defaults of the /ws service, filled by the host from configuration.</summary>
public sealed record StreamingOptions
{
    public required IReadOnlyList<Interval> Intervals { get; init; }

    public int MaxSubscriptionsPerClient { get; init; } = 100;

    public int HistoryDataLimit { get; init; } = 100;

    public int SupportedSymbolsLimit { get; init; } = 100;

    public int MaxMessageBytes { get; init; } = 65_536;

    public int MaxMessagesPerSecond { get; init; } = 50;

    public int MessageBurst { get; init; } = 200;

    public TimeSpan PingInterval { get; init; } = TimeSpan.FromSeconds(25);

    /// <summary>Nothing received (no frame of any kind) for this long closes the connection (1001).</summary>
    public TimeSpan IdleTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// <c>websocket.max_outbox_bytes</c>: what one connection's outbox may hold, in bytes (queued messages and the send
    /// in progress, each its length on the wire plus <see cref="Sessions.Outbox.EntryOverheadBytes"/>). A message that
    /// would pass it (after conflating superseded candle states) makes the client a slow consumer: closed with 1008.
    /// 1 MiB holds three 1,000-candle <c>history_data</c> replies at their largest (272 KB each) or four of a
    /// typical size (about 210 KB), or some 2,000 candle frames.
    /// </summary>
    public int MaxOutboxBytes { get; init; } = 1_048_576;

    /// <summary>
    /// <c>websocket.max_outbox_bytes_per_ip</c>: what the outboxes of one address's connections (an IPv4 address, an
    /// IPv6 /64) may hold together beyond their <see cref="Sessions.Outbox.FreeBytes"/> each. 16 MiB: some sixty
    /// 1,000-candle histories at their largest in flight at once. A client that needs credit the address has not left is
    /// a slow consumer (1008).
    /// </summary>
    public long MaxOutboxBytesPerAddress { get; init; } = 16 * 1024 * 1024;

    /// <summary>
    /// <c>websocket.max_outbox_bytes_total</c>: what every outbox together may hold beyond the free allowances; the
    /// budget the addresses' budgets draw on. 256 MiB: the per-address budget of 16 addresses.
    /// </summary>
    public long MaxOutboxBytesTotal { get; init; } = 256 * 1024 * 1024;

    /// <summary>
    /// <c>kline.broadcast_buffer_size</c>: candle states that may wait for the broadcaster over all topics; past it a
    /// topic drops its waiting states and its subscribers are resynchronized from storage (docs/protocol.md).
    /// </summary>
    public int BroadcastBufferSize { get; init; } = 10_000;

    /// <summary>
    /// <c>kline.fanout_round_frames</c>: the broadcaster takes the topics that changed together into one round until
    /// their frames reach this many, queues them, then writes each client's share in one socket write
    /// (<see cref="Topics.DeliveryRound"/>). Bigger rounds coalesce more and delay a round's first frames longer
    /// (docs/benchmarks.md measures both); 0 sends every frame straight to its socket.
    /// </summary>
    public int FanoutRoundFrames { get; init; } = 512;

    /// <summary>
    /// A single send that takes longer than this means the client stopped reading: the sweeper aborts the connection
    /// (no close frame can follow the stuck send). Fixed: not a configuration key.
    /// </summary>
    public TimeSpan SendTimeout { get; init; } = TimeSpan.FromSeconds(10);
}
