using Microsoft.Extensions.Configuration;
using SpinPet.Core.Candles;

namespace SpinPet.Server.Configuration;

/// <summary><c>[kline]</c>: candle building and the <c>/ws</c> K-line service (design document §6.3).</summary>
internal sealed record KlineOptions
{
    public const string Section = "kline";

    /// <summary>
    /// Configured interval names. <c>s1</c>, <c>s30</c> and <c>m5</c> are always built whether listed or not;
    /// use <see cref="KlineIntervals.Effective"/> for the list the server actually serves.
    /// </summary>
    [ConfigurationKeyName("intervals")]
    public string[] Intervals { get; init; } = [.. KlineIntervals.Required];

    /// <summary>Seconds after which a silent client is disconnected.</summary>
    [ConfigurationKeyName("connection_timeout")]
    public int ConnectionTimeout { get; init; } = 60;

    [ConfigurationKeyName("max_subscriptions_per_client")]
    public int MaxSubscriptionsPerClient { get; init; } = 100;

    /// <summary>Bound of the ingest → fan-out queue: candle states waiting over all topics (docs/protocol.md).</summary>
    [ConfigurationKeyName("broadcast_buffer_size")]
    public int BroadcastBufferSize { get; init; } = 10_000;

    /// <summary>Frames the broadcaster queues per round before each client's share leaves in one write; 0 = no rounds.</summary>
    [ConfigurationKeyName("fanout_round_frames")]
    public int FanoutRoundFrames { get; init; } = 512;

    /// <summary>History length when a request gives no <c>limit</c>.</summary>
    [ConfigurationKeyName("history_data_limit")]
    public int HistoryDataLimit { get; init; } = 100;

    /// <summary>Off = no <c>/ws</c> endpoint.</summary>
    [ConfigurationKeyName("enable_kline_service")]
    public bool EnableKlineService { get; init; } = true;

    [ConfigurationKeyName("volume_unit")]
    public VolumeUnit VolumeUnit { get; init; } = VolumeUnit.Sol;

    /// <summary>Wall-clock grace past a bucket's end before a caught-up ingest finalizes it.</summary>
    [ConfigurationKeyName("finalize_grace_ms")]
    public int FinalizeGraceMs { get; init; } = 2000;

    /// <summary>How many recently active mints <c>connection_success</c> lists.</summary>
    [ConfigurationKeyName("supported_symbols_limit")]
    public int SupportedSymbolsLimit { get; init; } = 100;
}
