using System.Text.Json;
using SpinPet.EndToEnd.Tests.Harness;
using SpinPet.EndToEnd.Tests.Ingest;
using SpinPet.EndToEnd.Tests.WebSockets;
using SpinPet.TestSupport;

namespace SpinPet.EndToEnd.Tests.SocketIO;

/// <summary>
/// Socket.IO sessions draw on the same outbox budgets as <c>/ws</c> connections (socketio.md: "every limit of /ws
/// holds here too"), on both transports: raw Engine.IO clients that ask for full histories and never read (a polling
/// session that never GETs, a websocket that never reads) hold at most their address's budget together beyond 64 KiB
/// each, are closed as slow consumers for want of it, and give everything back. Before, each held up to its own bound
/// (<c>websocket.max_outbox_bytes</c>) whatever the budgets said.
/// </summary>
public sealed class SocketIOOutboxBudgetTests
{
    // The smallest websocket.max_outbox_bytes_per_ip allowed: two sessions' full histories (~10 MB each) pass it.
    private const long AddressBudget = 512 * 1024;

    private const long Chunk = 64 * 1024;

    // Within the per-session burst of 200 packets (the namespace CONNECT takes one).
    private const int Requests = 190;

    [Fact]
    public async Task Sessions_that_never_read_hold_at_most_their_address_budget_over_polling_and_websocket_and_are_closed()
    {
        await using var simulator = await IngestExactlyOnceTests.StartSimulatorAsync(seed: 48);
        simulator.ProduceTransactions(1500);
        using var database = new TempFolder();
        var settings = ServerProcess.SettingsFor(simulator.RpcUri, simulator.WsUri, database.Path);
        // Each session's own bound far above what it asks for: only the address's budget can stop them.
        settings["SPIN_WEBSOCKET__MAX_OUTBOX_BYTES"] = "67108864";
        settings["SPIN_WEBSOCKET__MAX_OUTBOX_BYTES_PER_IP"] = AddressBudget.ToString(System.Globalization.CultureInfo.InvariantCulture);
        // Sessions that never answer a ping end within 3 s, so each phase starts with the budget given back.
        settings["SPIN_WEBSOCKET__PING_INTERVAL"] = "1000";
        settings["SPIN_WEBSOCKET__PING_TIMEOUT"] = "2000";
        await using var server = await ServerProcess.StartAsync(settings);
        await server.WaitForCheckpointAsync(LedgerAssert.NewestSignature(simulator), TimeSpan.FromSeconds(90));
        var mints = ReferenceCandles.Mints(simulator.ExpectedEvents());
        string History(int i) => $"42/kline,[\"history\",{{\"symbol\":\"{mints[i % mints.Length]}\",\"interval\":\"s1\",\"limit\":1000}}]";

        // Long-polling: the replies wait in the session's outbox for a GET that never comes.
        for (int c = 0; c < 2; c++)
        {
            var session = await EnginePollingClient.OpenAsync(server.Http);
            await session.PostAsync("40/kline,");
            await session.PostAsync(Enumerable.Range(c, Requests).Select(History));
        }
        await Eventually.TrueAsync(async () => SocketIOStats(await StatsAsync(server)).GetProperty("outbox_budget_closes").GetInt64() >= 1,
            TimeSpan.FromSeconds(30), "a polling session closed for want of budget");
        await WaitUntilAllGoneAsync(server);
        var afterPolling = await StatsAsync(server);
        long pollingCloses = SocketIOStats(afterPolling).GetProperty("outbox_budget_closes").GetInt64();
        Assert.InRange(afterPolling.GetProperty("outbox_address_peak_bytes").GetInt64(), AddressBudget - 5 * Chunk, AddressBudget);

        // Websocket: the replies fill the socket buffers, then the outbox.
        var stalled = new List<StalledClient>();
        try
        {
            for (int c = 0; c < 2; c++)
            {
                var client = await StalledClient.ConnectAsync(server.BaseUri, target: "/socket.io/?EIO=4&transport=websocket");
                stalled.Add(client);
                await client.SendAsync("40/kline,");
                for (int i = 0; i < Requests; i++)
                {
                    await client.SendAsync(History(c + i));
                }
            }
            await Eventually.TrueAsync(async () => SocketIOStats(await StatsAsync(server)).GetProperty("outbox_budget_closes").GetInt64() > pollingCloses,
                TimeSpan.FromSeconds(30), "a websocket session closed for want of budget");
            await WaitUntilAllGoneAsync(server);
        }
        finally
        {
            foreach (var client in stalled)
            {
                client.Dispose();
            }
        }

        var stats = await StatsAsync(server);
        Assert.InRange(stats.GetProperty("outbox_address_peak_bytes").GetInt64(), AddressBudget - 5 * Chunk, AddressBudget);
        Assert.True(stats.GetProperty("outbox_reserved_peak_bytes").GetInt64() <= AddressBudget);
        // /ws saw none of it: the closes are Socket.IO's, counted there and on /metrics.
        Assert.Equal(0, stats.GetProperty("outbox_budget_closes").GetInt64());
        var socketIO = SocketIOStats(stats);
        Assert.True(socketIO.GetProperty("slow_consumer_closes").GetInt64() >= socketIO.GetProperty("outbox_budget_closes").GetInt64());
        string metrics = await Operations.MetricsTests.ScrapeAsync(server);
        Assert.Equal(socketIO.GetProperty("outbox_budget_closes").GetInt64(), Operations.MetricsTests.Sample(metrics, "spinpet_socketio_outbox_budget_closes_total"));
        Assert.Equal(0, Operations.MetricsTests.Sample(metrics, "spinpet_socketio_active_sessions"));
    }

    /// <summary>Every Socket.IO session has ended and every byte of credit is back in the budget.</summary>
    private static Task WaitUntilAllGoneAsync(ServerProcess server) =>
        Eventually.TrueAsync(async () =>
        {
            var stats = await StatsAsync(server);
            return SocketIOStats(stats).GetProperty("active_sessions").GetInt64() == 0 && stats.GetProperty("outbox_reserved_bytes").GetInt64() == 0;
        }, TimeSpan.FromSeconds(40), "every Socket.IO session ended and its outbox credit given back");

    private static Task<JsonElement> StatsAsync(ServerProcess server) => KlineSocketSlowConsumerTests.StatsAsync(server);

    private static JsonElement SocketIOStats(JsonElement stats) => stats.GetProperty("socketio");
}
