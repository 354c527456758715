using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using SpinPet.ChainSimulator;
using SpinPet.EndToEnd.Tests.Harness;
using SpinPet.TestSupport;

namespace SpinPet.EndToEnd.Tests.Ingest;

public sealed class UnreachableNodeTests
{
    [Fact]
    public async Task Server_serves_and_reports_degraded_while_the_node_is_unreachable_then_catches_up()
    {
        int rpcPort = LoopbackPorts.Free(), wsPort = LoopbackPorts.Free();
        using var database = new TempFolder();
        await using var server = await ServerProcess.StartAsync(ServerProcess.SettingsFor(
            new Uri($"http://127.0.0.1:{rpcPort}/"), new Uri($"ws://127.0.0.1:{wsPort}/"), database.Path));

        var health = await server.Http.GetAsync("/health", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        var body = await health.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);
        Assert.Equal("degraded", body.GetProperty("status").GetString());
        Assert.Contains("unreachable", body.GetProperty("checks").GetProperty("ingest").GetProperty("description").GetString(), StringComparison.Ordinal);
        var status = await server.GetStatusAsync();
        Assert.NotEqual("subscribed", status.GetProperty("connection_status").GetString());

        // The node comes up where the server was told to look: it connects, backfills and follows.
        await using var simulator = new ChainSimulator.ChainSimulator(new SimulatorOptions { Seed = 21, RpcPort = rpcPort, WsPort = wsPort });
        await simulator.StartAsync(TestContext.Current.CancellationToken);
        simulator.ProduceTransactions(300);
        await server.WaitForCheckpointAsync(LedgerAssert.NewestSignature(simulator), TimeSpan.FromSeconds(90));
        await Eventually.TrueAsync(async () =>
        {
            var report = await server.Http.GetFromJsonAsync<JsonElement>("/health");
            return report.GetProperty("status").GetString() == "healthy";
        }, TimeSpan.FromSeconds(30), "health back to healthy");
        await server.StopAsync();
        LedgerAssert.StoreEqualsLedger(database.Path, simulator);
    }
}
