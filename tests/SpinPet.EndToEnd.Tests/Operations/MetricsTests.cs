using System.Globalization;
using SpinPet.EndToEnd.Tests.Harness;
using SpinPet.EndToEnd.Tests.Ingest;
using SpinPet.TestSupport;

namespace SpinPet.EndToEnd.Tests.Operations;

/// <summary>
/// <c>GET /metrics</c> on the real server following the simulator: Prometheus text with the documented names, and
/// values that move when clients connect and the chain trades.
/// </summary>
public sealed class MetricsTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(60);

    /// <summary>Every series the server exports from the start (the latency histogram appears with its first frame).</summary>
    private static readonly string[] Names =
    [
        "spinpet_ws_active_connections",
        "spinpet_ws_subscriptions",
        "spinpet_ws_messages_sent_total",
        "spinpet_ws_socket_writes_total",
        "spinpet_ws_messages_failed_total",
        "spinpet_ws_slow_consumer_closes_total",
        "spinpet_ws_conflated_updates_total",
        "spinpet_ws_refused_connections_total",
        "spinpet_ws_connection_level_accepts_total",
        "spinpet_ws_socket_level_accepts_total",
        "spinpet_ws_rate_limited_messages_total",
        "spinpet_ws_compressed_messages_total",
        "spinpet_ws_broadcast_dropped_updates_total",
        "spinpet_ws_broadcast_resyncs_total",
        "spinpet_ingest_lag_slots",
        "spinpet_ingest_lag_seconds",
        "spinpet_ingest_caught_up",
        "spinpet_ingest_events_total",
        "spinpet_ingest_rejected_payloads_total",
        "spinpet_ingest_late_candle_events_total",
        "spinpet_ingest_backfill_pending",
        "spinpet_ingest_backfill_signatures_found",
        "spinpet_ingest_backfill_transactions_applied",
        "spinpet_ingest_reconnects_total",
        "spinpet_rpc_errors_total",
        "spinpet_pubsub_garbage_frames_total",
        "spinpet_pubsub_dropped_notifications_total",
        "spinpet_pubsub_subscribe_refused_total",
        "spinpet_pubsub_reader_failures_total",
        "spinpet_candles_finalized_total",
        "spinpet_rocksdb_size_bytes",
        "spinpet_metadata_fetched_total",
        "spinpet_metadata_failed_total",
        "spinpet_metadata_retries_total",
        "spinpet_metadata_dropped_total",
        "spinpet_metadata_queue_depth",
        "spinpet_metadata_in_flight",
    ];

    [Fact]
    public async Task Metrics_serves_prometheus_text_with_every_documented_name()
    {
        await using var simulator = await IngestExactlyOnceTests.StartSimulatorAsync(seed: 61);
        simulator.ProduceTransactions(200);
        using var database = new TempFolder();
        await using var server = await IngestExactlyOnceTests.StartServerAsync(simulator, database.Path);
        await server.WaitForCheckpointAsync(LedgerAssert.NewestSignature(simulator), Wait);
        // Live trades after the subscription: the node's slot notifications give the chain slot (lag in slots).
        simulator.ProduceTransactions(20);
        await server.WaitForCheckpointAsync(LedgerAssert.NewestSignature(simulator), Wait);

        // The lag in seconds is reported once the ingest is caught up (subscribed, no backfill running).
        string text = "";
        try
        {
            await Eventually.TrueAsync(async () =>
            {
                text = await ScrapeAsync(server);
                return Names.All(name => Sample(text, name) is not null);
            }, Wait, "every documented series on /metrics");
        }
        catch (TimeoutException)
        {
            Assert.Fail($"missing on /metrics: {string.Join(", ", Names.Where(name => Sample(text, name) is null))}\n{text}");
        }

        using var response = await server.Http.GetAsync("/metrics", TestContext.Current.CancellationToken);
        Assert.Equal("text/plain", response.Content.Headers.ContentType?.MediaType);
        foreach (var name in Names)
        {
            Assert.Contains($"# TYPE {name} ", text, StringComparison.Ordinal);
        }
        Assert.Contains("# TYPE spinpet_ws_messages_sent_total counter", text, StringComparison.Ordinal);
        Assert.Contains("# TYPE spinpet_ws_active_connections gauge", text, StringComparison.Ordinal);
        foreach (var kind in new[] { "rate_limited", "http", "timeout", "connection", "garbage", "oversize" })
        {
            Assert.NotNull(Sample(text, "spinpet_rpc_errors_total", $"kind=\"{kind}\""));
        }
        Assert.Equal(1, Sample(text, "spinpet_ingest_caught_up"));
        Assert.Equal(0, Sample(text, "spinpet_ingest_backfill_pending"));
        Assert.True(Sample(text, "spinpet_rocksdb_size_bytes") > 0, "the storage folder holds files");
        // The runtime's and ASP.NET Core's own meters are exported too.
        Assert.Contains("dotnet_gc_collections_total", text, StringComparison.Ordinal);
        Assert.Contains("http_server_request_duration_seconds", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Metrics_move_when_a_client_subscribes_and_the_chain_trades()
    {
        await using var simulator = await IngestExactlyOnceTests.StartSimulatorAsync(seed: 62);
        simulator.ProduceTransactions(200);
        using var database = new TempFolder();
        await using var server = await IngestExactlyOnceTests.StartServerAsync(simulator, database.Path);
        await server.WaitForCheckpointAsync(LedgerAssert.NewestSignature(simulator), Wait);
        var mints = ReferenceCandles.Mints(simulator.ExpectedEvents());

        var before = await ScrapeAsync(server);
        Assert.Equal(0, Sample(before, "spinpet_ws_active_connections"));
        double sentBefore = Sample(before, "spinpet_ws_messages_sent_total") ?? double.NaN;

        var client = await KlineSocketClient.ConnectAsync(server.BaseUri);
        await using (client)
        {
            await client.ReceiveUntilAsync("connection_success");
            foreach (var mint in mints)
            {
                await client.SendAsync(new { msg_type = "subscribe", symbol = mint, interval = "s1", subscription_id = $"sub_{mint}", limit = 10 });
                await client.ReceiveUntilAsync("subscription_confirmed");
            }
            await Eventually.TrueAsync(async () => Sample(await ScrapeAsync(server), "spinpet_ws_subscriptions") == mints.Length,
                Wait, $"spinpet_ws_subscriptions = {mints.Length}");

            simulator.ProduceTransactions(300);
            await client.ReceiveUntilAsync("kline_data");
            await server.WaitForCheckpointAsync(LedgerAssert.NewestSignature(simulator), Wait);

            string text = "";
            await Eventually.TrueAsync(async () =>
            {
                text = await ScrapeAsync(server);
                return Sample(text, "spinpet_ws_messages_sent_total") > sentBefore
                    && Sample(text, "spinpet_ws_broadcast_latency_milliseconds_count") > 0
                    && Sample(text, "spinpet_ingest_live_apply_latency_milliseconds_count") > 0;
            }, Wait, "messages sent, broadcast and live-apply latencies observed");

            Assert.Equal(1, Sample(text, "spinpet_ws_active_connections"));
            // Nothing here is idle for 30 s: the series exist, nothing was trimmed.
            Assert.Equal(0, Sample(text, "spinpet_memory_idle_trims_total"));
            Assert.Equal(0, Sample(text, "spinpet_memory_idle_trim_released_bytes_total"));
            Assert.True(Sample(text, "spinpet_ingest_events_total", "type=\"BuySell\"") > 0, "BuySell events counted");
            Assert.Contains("# TYPE spinpet_ws_broadcast_latency_milliseconds histogram", text, StringComparison.Ordinal);
            // The explicit boundaries (0.1 ms … 1 s), cumulative up to +Inf = the count.
            Assert.NotNull(Sample(text, "spinpet_ws_broadcast_latency_milliseconds_bucket", "le=\"0.1\""));
            Assert.NotNull(Sample(text, "spinpet_ws_broadcast_latency_milliseconds_bucket", "le=\"1000\""));
            Assert.Equal(Sample(text, "spinpet_ws_broadcast_latency_milliseconds_count"),
                Sample(text, "spinpet_ws_broadcast_latency_milliseconds_bucket", "le=\"+Inf\""));
            Assert.NotNull(Sample(text, "spinpet_ingest_live_apply_latency_milliseconds_bucket", "le=\"10000\""));
            Assert.Equal(Sample(text, "spinpet_ingest_live_apply_latency_milliseconds_count"),
                Sample(text, "spinpet_ingest_live_apply_latency_milliseconds_bucket", "le=\"+Inf\""));
        }

        await Eventually.TrueAsync(async () => Sample(await ScrapeAsync(server), "spinpet_ws_active_connections") == 0,
            Wait, "spinpet_ws_active_connections back to 0 after the client left");
    }

    internal static Task<string> ScrapeAsync(ServerProcess server) =>
        server.Http.GetStringAsync("/metrics", TestContext.Current.CancellationToken);

    /// <summary>
    /// The value of the first sample of <paramref name="name"/> (exactly that series name) whose labels contain
    /// <paramref name="label"/>, or null when there is none.
    /// </summary>
    internal static double? Sample(string text, string name, string? label = null)
    {
        foreach (var line in text.Split('\n'))
        {
            if (line.Length == 0 || line[0] == '#' || !line.StartsWith(name, StringComparison.Ordinal)
                || line.Length == name.Length || line[name.Length] is not ('{' or ' '))
            {
                continue;
            }
            // name{labels} value [timestamp]
            int seriesEnd = line[name.Length] == '{' ? line.IndexOf('}', name.Length) + 1 : name.Length;
            if (label is not null && !line.AsSpan(0, seriesEnd).Contains(label, StringComparison.Ordinal))
            {
                continue;
            }
            string value = line[seriesEnd..].Trim().Split(' ')[0];
            return double.Parse(value, NumberStyles.Float, CultureInfo.InvariantCulture);
        }
        return null;
    }
}
