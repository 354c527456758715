using System.Text.Json;
using SpinPet.EndToEnd.Tests.Harness;
using SpinPet.EndToEnd.Tests.Ingest;
using SpinPet.TestSupport;

namespace SpinPet.EndToEnd.Tests.WebSockets;

/// <summary>
/// The outbox budget of an address (websocket.max_outbox_bytes_per_ip) against the real server: many connections of
/// one address that never read hold at most its budget together, beyond the first 64 KiB of each, however much each
/// could hold alone; they are closed, and a reading client of the same address is served throughout.
/// </summary>
public sealed class KlineSocketOutboxBudgetTests
{
    private const int StalledConnections = 8;

    // Within the burst of 200: with full s1 pages of this chain (tens of KB each) about 10 MB per connection, 80 MB in
    // all, and 190 such requests used to be held by each connection whole (before the bound counted bytes, and with
    // the bound raised out of the way below, still now).
    private const int RequestsPerConnection = 190;

    // websocket.max_outbox_bytes_per_ip in config/default.toml.
    private const long AddressBudget = 16L << 20;

    private const long Chunk = 64 * 1024;

    [Fact]
    public async Task Connections_of_one_address_that_never_read_hold_at_most_its_budget_together_and_are_closed_while_a_reading_client_of_that_address_is_served()
    {
        await using var simulator = await IngestExactlyOnceTests.StartSimulatorAsync(seed: 48);
        simulator.ProduceTransactions(1500);
        using var database = new TempFolder();
        var settings = ServerProcess.SettingsFor(simulator.RpcUri, simulator.WsUri, database.Path);
        // Each connection's own bound is raised far above what it asks for: only the address's budget stops them.
        settings["SPIN_WEBSOCKET__MAX_OUTBOX_BYTES"] = "67108864";
        await using var server = await ServerProcess.StartAsync(settings);
        await server.WaitForCheckpointAsync(LedgerAssert.NewestSignature(simulator), TimeSpan.FromSeconds(90));
        var mints = ReferenceCandles.Mints(simulator.ExpectedEvents());

        // The well-behaved client of the same address: subscribed before the others arrive, and reading.
        await using var reader = await KlineSocketClient.ConnectAsync(server.BaseUri);
        await reader.ReceiveUntilAsync("connection_success");
        await reader.SendAsync(new { msg_type = "subscribe", symbol = mints[0], interval = "s1", subscription_id = "reader" });
        await reader.ReceiveUntilAsync("subscription_confirmed");

        var stalled = new List<StalledClient>();
        try
        {
            for (int c = 0; c < StalledConnections; c++)
            {
                var client = await StalledClient.ConnectAsync(server.BaseUri);
                stalled.Add(client);
                for (int i = 0; i < RequestsPerConnection; i++)
                {
                    await client.SendAsync($"{{\"msg_type\":\"history\",\"symbol\":\"{mints[(c + i) % mints.Length]}\",\"interval\":\"s1\",\"limit\":1000}}");
                }
            }
            await Eventually.TrueAsync(async () => (await StatsAsync(server)).GetProperty("outbox_budget_closes").GetInt64() >= 1,
                TimeSpan.FromSeconds(30), "a connection of the address closed for want of budget");

            // The reading client of the same address is still served: replies (within its own 64 KiB) and live
            // candle frames of its subscription.
            await reader.SendAsync(new { msg_type = "ping" });
            await reader.ReceiveUntilAsync("pong");
            await reader.SendAsync(new { msg_type = "history", symbol = mints[1], interval = "s1", limit = 100 });
            var (history, _) = await reader.ReceiveUntilAsync("history_data");
            Assert.True(history.GetProperty("data").GetProperty("data").GetArrayLength() > 0);
            simulator.ProduceTransactions(60);
            var (live, _) = await reader.ReceiveUntilAsync("kline_data");
            Assert.Equal("reader", live.GetProperty("data").GetProperty("subscription_id").GetString());

            // Every stalled connection ends: closed for want of budget at once, or (the few that got credit first and
            // hold it in a send they never take) by the send timeout.
            await Eventually.TrueAsync(async () => (await StatsAsync(server)).GetProperty("active_connections").GetInt64() == 1,
                TimeSpan.FromSeconds(40), "only the reading client left");
        }
        finally
        {
            foreach (var client in stalled)
            {
                client.Dispose();
            }
        }

        var stats = await StatsAsync(server);
        // Together they never held more than the address's budget beyond their free allowances, and they did reach it
        // (the request that found it spent needed at most 5 chunks more).
        long addressPeak = stats.GetProperty("outbox_address_peak_bytes").GetInt64();
        Assert.InRange(addressPeak, AddressBudget - 5 * Chunk, AddressBudget);
        Assert.Equal(StalledConnections, stats.GetProperty("slow_consumer_closes").GetInt64());
        // Everything lent is given back once the connections are gone.
        Assert.Equal(0, stats.GetProperty("outbox_reserved_bytes").GetInt64());

        await reader.SendAsync(new { msg_type = "history", symbol = mints[1], interval = "s1", limit = 1000 });
        await reader.ReceiveUntilAsync("history_data");
    }

    private static Task<JsonElement> StatsAsync(ServerProcess server) => KlineSocketSlowConsumerTests.StatsAsync(server);
}
