using SpinPet.Core.Candles;
using Microsoft.Extensions.Options;

namespace SpinPet.Server.Configuration;

internal sealed class KlineOptionsValidator(IOptions<WebSocketOptions> websocket) : IValidateOptions<KlineOptions>
{
    // Protocol contract: a request's `limit` is 1…1000, and this is the default `limit`.
    private const int MaxHistoryLimit = 1000;

    // Every connection_success lists them (about 47 bytes each): 10,000 make a greeting of at most 480 KB, which
    // must fit a connection's outbox (websocket.max_outbox_bytes is at least 512 KiB).
    private const int MaxSupportedSymbols = 10_000;
    private const int MaxFanoutRoundFrames = 65_536;

    public ValidateOptionsResult Validate(string? name, KlineOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new OptionsFailures(KlineOptions.Section);

        var namesByLength = new Dictionary<long, string>();
        foreach (var interval in KlineIntervals.Required.Concat(options.Intervals))
        {
            if (KlineIntervals.Problem(interval) is { } problem)
            {
                failures.Add("intervals", problem);
            }
            else if (KlineIntervals.TryParseSeconds(interval, out var seconds)
                && !namesByLength.TryAdd(seconds, interval) && namesByLength[seconds] != interval)
            {
                // Two names for one bucket length (s60 and m1) would build and store the same candles twice.
                failures.Add("intervals", $"'{interval}' is the same length as '{namesByLength[seconds]}' ({seconds} s); keep one");
            }
        }

        if (namesByLength.Count > CandleBuilder.MaxIntervals)
        {
            failures.Add("intervals", $"{namesByLength.Count} intervals are configured; at most {CandleBuilder.MaxIntervals} are built");
        }

        failures.AtLeast("connection_timeout", options.ConnectionTimeout, 1);
        if (PingInterval() is int pingInterval && options.ConnectionTimeout >= 1 && options.ConnectionTimeout * 1000L <= pingInterval)
        {
            // A connection idle this long is closed (the shorter of this and websocket.ping_timeout): no longer than
            // the ping interval, a healthy client that only answers pings would be closed before it was pinged.
            failures.Add("connection_timeout", $"{options.ConnectionTimeout} s must be longer than websocket.ping_interval ({pingInterval} ms)");
        }
        failures.AtLeast("max_subscriptions_per_client", options.MaxSubscriptionsPerClient, 1);
        failures.AtLeast("broadcast_buffer_size", options.BroadcastBufferSize, 1);
        failures.Range("fanout_round_frames", options.FanoutRoundFrames, 0, MaxFanoutRoundFrames);
        failures.Range("history_data_limit", options.HistoryDataLimit, 1, MaxHistoryLimit);
        if (!Enum.IsDefined(options.VolumeUnit))
        {
            failures.Add("volume_unit", "must be none, sol or token");
        }
        failures.AtLeast("finalize_grace_ms", options.FinalizeGraceMs, 0);
        failures.Range("supported_symbols_limit", options.SupportedSymbolsLimit, 0, MaxSupportedSymbols);
        return failures.Result();
    }

    /// <summary>websocket.ping_interval, or null when that section is invalid (its own validator reports it).</summary>
    private int? PingInterval()
    {
        try
        {
            return websocket.Value.PingInterval;
        }
        catch (OptionsValidationException)
        {
            return null;
        }
    }
}
