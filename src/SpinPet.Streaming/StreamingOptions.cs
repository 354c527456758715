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
    /// A client's queued frames beyond this (after conflating superseded candle states) make it a slow consumer:
    /// it is closed with 1008. 1,024 frames is ten seconds of a busy client's finals and replies. Fixed: not a
    /// configuration key.
    /// </summary>
    public int MaxQueuedFrames { get; init; } = 1024;

    /// <summary>
    /// <c>kline.broadcast_buffer_size</c>: candle states that may wait for the broadcaster over all topics; past it a
    /// topic drops its waiting states and its subscribers are resynchronized from storage (docs/protocol.md).
    /// </summary>
    public int BroadcastBufferSize { get; init; } = 10_000;

    /// <summary>
    /// A single send that takes longer than this means the client stopped reading: the sweeper aborts the connection
    /// (no close frame can follow the stuck send). Fixed: not a configuration key.
    /// </summary>
    public TimeSpan SendTimeout { get; init; } = TimeSpan.FromSeconds(10);
}
