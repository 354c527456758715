using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using SpinPet.EndToEnd.Tests.Harness;
using SpinPet.EndToEnd.Tests.Ingest;
using SpinPet.TestSupport;

namespace SpinPet.EndToEnd.Tests.WebSockets;

/// <summary>
/// The slow-consumer policy (docs/protocol.md) against the real server: a client whose outbox passes its bound or
/// whose send stalls is ended, counted and logged once, and frees its connection slot.
/// </summary>
public sealed partial class KlineSocketSlowConsumerTests
{
    [Fact]
    public async Task A_client_that_overflows_its_queue_and_never_reads_is_ended_and_frees_its_connection_slot()
    {
        await using var simulator = await IngestExactlyOnceTests.StartSimulatorAsync(seed: 45);
        simulator.ProduceTransactions(1500);
        using var database = new TempFolder();
        var settings = ServerProcess.SettingsFor(simulator.RpcUri, simulator.WsUri, database.Path);
        // One connection per address: a leaked session would lock this address out for good.
        settings["SPIN_WEBSOCKET__MAX_CONNECTIONS_PER_IP"] = "1";
        await using var server = await ServerProcess.StartAsync(settings);
        await server.WaitForCheckpointAsync(LedgerAssert.NewestSignature(simulator), TimeSpan.FromSeconds(90));
        var mints = ReferenceCandles.Mints(simulator.ExpectedEvents());

        using var stalled = await StalledClient.ConnectAsync(server.BaseUri);
        // The first answers (full history pages) fill the socket buffers and block the writer; everything after
        // them (the rest are answered "rate limited") queues, past the outbox's bound of 1 MiB.
        for (int i = 0; i < 1300; i++)
        {
            await stalled.SendAsync($"{{\"msg_type\":\"history\",\"symbol\":\"{mints[i % mints.Length]}\",\"interval\":\"s1\",\"limit\":1000}}");
        }
        await Eventually.TrueAsync(async () => (await StatsAsync(server)).GetProperty("slow_consumer_closes").GetInt64() == 1,
            TimeSpan.FromSeconds(30), "the client counted as a slow consumer");

        // The close waits for a send the client never takes; the send timeout (10 s) must end it anyway.
        await Eventually.TrueAsync(async () => (await StatsAsync(server)).GetProperty("active_connections").GetInt64() == 0,
            TimeSpan.FromSeconds(40), "the overflowed client's session ended");
        using var next = await StalledClient.ConnectAsync(server.BaseUri);

        // Caught by the bound and then by the send timeout: still one slow consumer, in the counter and in the log.
        Assert.Equal(1, (await StatsAsync(server)).GetProperty("slow_consumer_closes").GetInt64());
        Assert.Single(SlowConsumerLine().Matches(server.Output));
        Assert.Contains("Closed 1 slow consumer(s)", server.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_client_that_never_reads_and_keeps_asking_for_full_histories_holds_at_most_the_outbox_bound_and_is_closed()
    {
        await using var simulator = await IngestExactlyOnceTests.StartSimulatorAsync(seed: 46);
        simulator.ProduceTransactions(1500);
        using var database = new TempFolder();
        var settings = ServerProcess.SettingsFor(simulator.RpcUri, simulator.WsUri, database.Path);
        settings["SPIN_SECURITY__ADMIN_API_KEY"] = AdminKey;
        await using var server = await ServerProcess.StartAsync(settings);
        await server.WaitForCheckpointAsync(LedgerAssert.NewestSignature(simulator), TimeSpan.FromSeconds(90));
        var mints = ReferenceCandles.Mints(simulator.ExpectedEvents());

        using var stalled = await StalledClient.ConnectAsync(server.BaseUri);
        // 190 full pages (within the burst of 200): megabytes, far more than the socket buffers and the bound hold.
        // The outbox is counted in bytes, so it is closed after a few pages, not after 1,024 of them (which used to
        // be up to 270 MB).
        for (int i = 0; i < 190; i++)
        {
            await stalled.SendAsync($"{{\"msg_type\":\"history\",\"symbol\":\"{mints[i % mints.Length]}\",\"interval\":\"s1\",\"limit\":1000}}");
        }
        await Eventually.TrueAsync(async () => (await StatsAsync(server)).GetProperty("slow_consumer_closes").GetInt64() == 1,
            TimeSpan.FromSeconds(30), "the client closed as a slow consumer");

        // The server's own accounting: the most this connection's outbox held (queued replies and the send in
        // progress) is within websocket.max_outbox_bytes, and close to it (the refused page was at most 272 KB).
        long peak = (await StatsAsync(server)).GetProperty("outbox_peak_bytes").GetInt64();
        Assert.InRange(peak, DefaultOutboxBytes - 300_000, DefaultOutboxBytes);
        // Overflowed, its queue was dropped at once: what it still holds is at most the send the client never takes.
        Assert.True(await QueuedBytesAsync(server) <= DefaultOutboxBytes);
        await Eventually.TrueAsync(async () => (await StatsAsync(server)).GetProperty("active_connections").GetInt64() == 0,
            TimeSpan.FromSeconds(40), "the stalled connection ended (send timeout)");
        Assert.Equal(0, await QueuedBytesAsync(server));
    }

    [Fact]
    public async Task A_slow_client_that_keeps_reading_holds_every_stored_candle_state_with_superseded_updates_conflated()
    {
        // Candles stay realtime only while the chain clock has not passed them and the wall clock has not either
        // (candles.md): this chain starts now and runs ahead of the wall clock (its history alone spans 300 s), with
        // 2 transactions per mint per block, so an s1 candle takes several realtime states.
        await using var simulator = new ChainSimulator.ChainSimulator(new ChainSimulator.SimulatorOptions
        {
            Seed = 47,
            MintCount = 3,
            TransactionsPerBlock = 6,
            GenesisUnixTime = DateTimeOffset.UtcNow.ToUnixTimeSeconds(),
        });
        await simulator.StartAsync(TestContext.Current.CancellationToken);
        simulator.ProduceTransactions(4500);
        using var database = new TempFolder();
        var settings = ServerProcess.SettingsFor(simulator.RpcUri, simulator.WsUri, database.Path);
        settings["SPIN_SECURITY__ADMIN_API_KEY"] = AdminKey;
        // The paused client's backlog below is megabytes of history pages on purpose (to block the writer behind
        // them); this test is about conflation, not the byte bounds, so the bound and its address's budget are raised
        // out of the way.
        settings["SPIN_WEBSOCKET__MAX_OUTBOX_BYTES"] = "67108864";
        settings["SPIN_WEBSOCKET__MAX_OUTBOX_BYTES_PER_IP"] = "67108864";
        await using var server = await ServerProcess.StartAsync(settings);
        await server.WaitForCheckpointAsync(LedgerAssert.NewestSignature(simulator), TimeSpan.FromSeconds(90));
        var mints = ReferenceCandles.Mints(simulator.ExpectedEvents());
        (string, string)[] topics = [(mints[0], "s1"), (mints[1], "s1"), (mints[0], "s30")];

        // A 4 KB receive buffer: once the client stops reading, the server's sends block within a few frames.
        await using var slow = await RecordingClient.StartAsync(server.BaseUri, topics, "slow", receiveBufferBytes: 4096);
        await Eventually.TrueAsync(() => slow.Confirmed == topics.Length, TimeSpan.FromSeconds(30), "subscriptions confirmed");
        slow.Pause();
        // Full history pages of topics it is not subscribed to (megabytes, more than the loopback socket buffers
        // hold): the writer is blocked on them while states arrive. 150 requests stay within the burst of 200.
        for (int i = 0; i < 150; i++)
        {
            await slow.Socket.SendAsync(new { msg_type = "history", symbol = mints[2], interval = "s1", limit = 1000 });
        }

        using var trading = new CancellationTokenSource();
        var producer = Task.Run(async () =>
        {
            // A block (about 6 transactions) per 100 ms: busy s1 topics (4 chain seconds per wall second), yet far
            // below the 1,024-frame bound during the pause.
            while (!trading.IsCancellationRequested)
            {
                simulator.ProduceTransactions(1);
                await Task.Delay(100, CancellationToken.None);
            }
        }, CancellationToken.None);
        try
        {
            // Paused until a backlog built up (well within the 10 s send timeout), then it reads again.
            // The 150 replies alone make a backlog: wait for 25 more slots (about 2.5 s, within the 10 s send timeout)
            // to be stored and published while it is paused, so candle states queue behind them.
            ulong pausedAt = (await server.GetStatusAsync()).GetProperty("last_processed_slot").GetUInt64();
            await Eventually.TrueAsync(async () => (await server.GetStatusAsync()).GetProperty("last_processed_slot").GetUInt64() >= pausedAt + 25
                && await MaxQueuedFramesAsync(server) >= 50, TimeSpan.FromSeconds(8), "25 slots published while the client is paused");
            slow.Resume();
            await Eventually.TrueAsync(async () => (await StatsAsync(server)).GetProperty("conflated_updates").GetInt64() > 0,
                TimeSpan.FromSeconds(30), "superseded realtime states conflated");
        }
        finally
        {
            slow.Resume();
            await trading.CancelAsync();
            await producer;
        }
        await server.WaitForCheckpointAsync(LedgerAssert.NewestSignature(simulator), TimeSpan.FromSeconds(60));

        var stored = new Dictionary<(string, string), List<JsonElement>>();
        await Eventually.TrueAsync(async () =>
        {
            foreach (var topic in topics)
            {
                stored[topic] = await KlineSocketLiveTests.ReadAllAsync(server, topic.Item1, topic.Item2);
            }
            return slow.Topics.All(t => slow.HasFinal(t, stored[t]));
        }, TimeSpan.FromSeconds(60), "the slow client holds every stored candle's newest state");
        slow.AssertOrderedAndComplete(stored);
        var stats = await StatsAsync(server);
        Assert.Equal(0, stats.GetProperty("slow_consumer_closes").GetInt64());
        Assert.Equal(1, stats.GetProperty("active_connections").GetInt64());
    }

    private const string AdminKey = "slow-consumer-test-admin-key";

    // websocket.max_outbox_bytes in config/default.toml.
    private const long DefaultOutboxBytes = 1_048_576;

    private static async Task<long> QueuedBytesAsync(ServerProcess server) =>
        (await ConnectionsAsync(server)).Select(c => c.GetProperty("queued_bytes").GetInt64()).DefaultIfEmpty(0).Sum();

    private static async Task<List<JsonElement>> ConnectionsAsync(ServerProcess server)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/kline/subscriptions");
        request.Headers.Add("X-Admin-Key", AdminKey);
        using var response = await server.Http.SendAsync(request);
        response.EnsureSuccessStatusCode();
        var data = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("data");
        return [.. data.GetProperty("connections").EnumerateArray().Select(c => c.Clone())];
    }

    private static async Task<long> MaxQueuedFramesAsync(ServerProcess server) =>
        (await ConnectionsAsync(server)).Select(c => c.GetProperty("queued_frames").GetInt64()).DefaultIfEmpty(0).Max();

    internal static async Task<JsonElement> StatsAsync(ServerProcess server) =>
        (await server.Http.GetFromJsonAsync<JsonElement>("/api/kline/status")).GetProperty("data").GetProperty("stats");

    [GeneratedRegex(@"slow consumer\(s\)")]
    private static partial Regex SlowConsumerLine();
}
