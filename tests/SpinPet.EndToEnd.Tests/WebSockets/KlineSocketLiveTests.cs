using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Text.Json;
using SpinPet.EndToEnd.Tests.Harness;
using SpinPet.EndToEnd.Tests.Ingest;
using SpinPet.TestSupport;

namespace SpinPet.EndToEnd.Tests.WebSockets;

/// <summary>The push service against live simulated trading: ordering, completeness, slow consumers, shutdown.</summary>
public sealed class KlineSocketLiveTests
{
    private static readonly string[] Intervals = ["s1", "s30", "m5"];

    [Fact]
    public async Task A_hundred_clients_receive_exactly_the_candle_states_the_store_holds()
    {
        await using var simulator = await IngestExactlyOnceTests.StartSimulatorAsync(seed: 41);
        simulator.ProduceTransactions(400);
        using var database = new TempFolder();
        await using var server = await IngestExactlyOnceTests.StartServerAsync(simulator, database.Path);
        await server.WaitForCheckpointAsync(LedgerAssert.NewestSignature(simulator), TimeSpan.FromSeconds(60));
        var mints = ReferenceCandles.Mints(simulator.ExpectedEvents());

        var clients = await StartClientsAsync(server, mints, 100);

        for (int round = 0; round < 15; round++)
        {
            simulator.ProduceTransactions(100);
        }
        await server.WaitForCheckpointAsync(LedgerAssert.NewestSignature(simulator), TimeSpan.FromSeconds(90));

        // Every candle closes (the simulated chain is in the past); then each client must hold the store's candles.
        await AssertEveryClientHoldsTheStoredCandlesAsync(server, mints, clients);
    }

    [Fact]
    public async Task A_client_that_stops_reading_is_dropped_while_another_keeps_its_updates()
    {
        await using var simulator = await IngestExactlyOnceTests.StartSimulatorAsync(seed: 42);
        simulator.ProduceTransactions(2500);
        using var database = new TempFolder();
        await using var server = await IngestExactlyOnceTests.StartServerAsync(simulator, database.Path);
        await server.WaitForCheckpointAsync(LedgerAssert.NewestSignature(simulator), TimeSpan.FromSeconds(90));
        var mints = ReferenceCandles.Mints(simulator.ExpectedEvents());

        await using var healthy = await RecordingClient.StartAsync(server.BaseUri, [(mints[0], "s1"), (mints[1], "s30")], "healthy");
        using var stalled = await StalledClient.ConnectAsync(server.BaseUri);
        // Ask for far more than any socket buffer holds (history is the cheapest big answer), then never read.
        for (int i = 0; i < 200; i++)
        {
            await stalled.SendAsync($"{{\"msg_type\":\"history\",\"symbol\":\"{mints[i % mints.Length]}\",\"interval\":\"s1\",\"limit\":1000}}");
        }
        for (int round = 0; round < 10; round++)
        {
            simulator.ProduceTransactions(100);
        }
        await Eventually.TrueAsync(async () => (await KlineStatsAsync(server)).GetProperty("slow_consumer_closes").GetInt64() >= 1,
            TimeSpan.FromSeconds(60), "the stalled client closed as a slow consumer");
        await server.WaitForCheckpointAsync(LedgerAssert.NewestSignature(simulator), TimeSpan.FromSeconds(60));

        var stored = new Dictionary<(string, string), List<JsonElement>>
        {
            [(mints[0], "s1")] = await ReadAllAsync(server, mints[0], "s1"),
            [(mints[1], "s30")] = await ReadAllAsync(server, mints[1], "s30"),
        };
        await Eventually.TrueAsync(async () =>
        {
            stored[(mints[0], "s1")] = await ReadAllAsync(server, mints[0], "s1");
            stored[(mints[1], "s30")] = await ReadAllAsync(server, mints[1], "s30");
            return healthy.Topics.All(t => healthy.HasFinal(t, stored[t]));
        }, TimeSpan.FromSeconds(60), "the healthy client got every final state");
        healthy.AssertOrderedAndComplete(stored);
        // The stalled peer (until the send timeout of 10 s ends it) never held the healthy client's updates back:
        // a generous functional bound, far from a speed target, but below what waiting on the peer would cost.
        Assert.True(healthy.MaxDelayMs < 5000, $"an update reached the healthy client {healthy.MaxDelayMs} ms after it was sent");
        // Closed as a slow consumer as soon as its outbox passed its byte bound; its connection ends when the send it
        // never takes hits the send timeout (10-11 s), and only the healthy client is left.
        await Eventually.TrueAsync(async () => (await KlineStatsAsync(server)).GetProperty("active_connections").GetInt64() == 1,
            TimeSpan.FromSeconds(30), "only the healthy client left");
    }

    [Fact]
    public async Task With_a_fan_out_queue_of_one_state_overflowing_topics_resync_from_storage_and_clients_still_hold_every_candle()
    {
        await using var simulator = await IngestExactlyOnceTests.StartSimulatorAsync(seed: 44);
        simulator.ProduceTransactions(200);
        using var database = new TempFolder();
        var settings = ServerProcess.SettingsFor(simulator.RpcUri, simulator.WsUri, database.Path);
        // One waiting state for the whole server: every batch touching two topics overflows.
        settings["SPIN_KLINE__BROADCAST_BUFFER_SIZE"] = "1";
        await using var server = await ServerProcess.StartAsync(settings);
        await server.WaitForCheckpointAsync(LedgerAssert.NewestSignature(simulator), TimeSpan.FromSeconds(60));
        var mints = ReferenceCandles.Mints(simulator.ExpectedEvents());

        var clients = await StartClientsAsync(server, mints, 20);

        for (int round = 0; round < 10; round++)
        {
            simulator.ProduceTransactions(100);
        }
        await server.WaitForCheckpointAsync(LedgerAssert.NewestSignature(simulator), TimeSpan.FromSeconds(90));

        await AssertEveryClientHoldsTheStoredCandlesAsync(server, mints, clients);
        var stats = await KlineStatsAsync(server);
        Assert.True(stats.GetProperty("broadcast_dropped_updates").GetInt64() > 0, "the bound of one state was exceeded");
        Assert.True(stats.GetProperty("broadcast_resyncs").GetInt64() > 0, "overflowing topics were resynchronized");
        Assert.Equal(0, stats.GetProperty("slow_consumer_closes").GetInt64());
        Assert.Contains("Fan-out queue full", server.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Shutdown_closes_every_client_with_1001()
    {
        await using var simulator = await IngestExactlyOnceTests.StartSimulatorAsync(seed: 43);
        simulator.ProduceTransactions(50);
        using var database = new TempFolder();
        await using var server = await IngestExactlyOnceTests.StartServerAsync(simulator, database.Path);
        var clients = new List<KlineSocketClient>();
        for (int i = 0; i < 5; i++)
        {
            var client = await KlineSocketClient.ConnectAsync(server.BaseUri);
            await client.ReceiveUntilAsync("connection_success");
            clients.Add(client);
        }
        await server.StopAsync();
        Assert.Equal(0, server.ExitCode);
        foreach (var client in clients)
        {
            while (await client.ReceiveAsync() is not null)
            {
            }
            Assert.Equal(WebSocketCloseStatus.EndpointUnavailable, client.Socket.CloseStatus);
            await client.DisposeAsync();
        }
    }

    /// <summary>Client i subscribes to three topics: mints i, i+1, i+2 on the three intervals in turn.</summary>
    private static async Task<List<RecordingClient>> StartClientsAsync(ServerProcess server, string[] mints, int count)
    {
        var clients = new List<RecordingClient>();
        for (int i = 0; i < count; i++)
        {
            var topics = Enumerable.Range(0, 3).Select(j => (Mint: mints[(i + j) % mints.Length], Interval: Intervals[(i + j) % 3])).ToList();
            clients.Add(await RecordingClient.StartAsync(server.BaseUri, topics, $"c{i}"));
        }
        await Eventually.TrueAsync(() => clients.All(c => c.Confirmed == 3), TimeSpan.FromSeconds(60), "every subscription confirmed");
        return clients;
    }

    /// <summary>
    /// Waits until every stored candle is final and every client holds each one's final state, then checks that each
    /// client received its topics' states in order and complete, and disposes it.
    /// </summary>
    private static async Task AssertEveryClientHoldsTheStoredCandlesAsync(ServerProcess server, string[] mints, List<RecordingClient> clients)
    {
        var stored = new Dictionary<(string, string), List<JsonElement>>();
        await Eventually.TrueAsync(async () =>
        {
            foreach (var mint in mints)
            {
                foreach (var interval in Intervals)
                {
                    stored[(mint, interval)] = await ReadAllAsync(server, mint, interval);
                }
            }
            return stored.Values.All(list => list.All(c => c.GetProperty("is_final").GetBoolean()))
                && clients.All(c => c.Topics.All(t => c.HasFinal(t, stored[t])));
        }, TimeSpan.FromSeconds(60), "every client holds the final state of every stored candle");

        foreach (var client in clients)
        {
            client.AssertOrderedAndComplete(stored);
            await client.DisposeAsync();
        }
    }

    internal static async Task<List<JsonElement>> ReadAllAsync(ServerProcess server, string mint, string interval)
    {
        var all = new List<JsonElement>();
        long? before = null;
        while (true)
        {
            var url = $"/api/kline?mint={mint}&interval={interval}&limit=1000" + (before is null ? "" : $"&before={before}");
            var page = (await server.Http.GetFromJsonAsync<JsonElement>(url)).GetProperty("data");
            all.AddRange(page.GetProperty("klines").EnumerateArray());
            if (!page.GetProperty("has_more").GetBoolean())
            {
                return all;
            }
            before = page.GetProperty("next_before").GetInt64();
        }
    }

    private static async Task<JsonElement> KlineStatsAsync(ServerProcess server) =>
        (await server.Http.GetFromJsonAsync<JsonElement>("/api/kline/status")).GetProperty("data").GetProperty("stats");
}
