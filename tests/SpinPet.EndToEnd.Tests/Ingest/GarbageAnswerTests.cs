using SpinPet.ChainSimulator;
using SpinPet.EndToEnd.Tests.Harness;
using SpinPet.TestSupport;

namespace SpinPet.EndToEnd.Tests.Ingest;

/// <summary>The node's HTTP answers turn to garbage for a while: ingest survives it, counts it and says so.</summary>
public sealed class GarbageAnswerTests
{
    [Fact]
    public async Task Garbage_http_answers_are_counted_logged_at_warning_and_lose_nothing()
    {
        await using var simulator = await IngestExactlyOnceTests.StartSimulatorAsync(seed: 16);
        simulator.ProduceTransactions(600);
        // One answer in five: an HTML page, wrong JSON types (logMessages a string, …) or 8 MiB, in turn.
        simulator.Faults.HttpGarbageRate = 0.2;
        using var database = new TempFolder();
        await using (var server = await IngestExactlyOnceTests.StartServerAsync(simulator, database.Path))
        {
            for (int round = 0; round < 6; round++)
            {
                simulator.ProduceTransactions(100);
                if (round == 3)
                {
                    // A backfill from the checkpoint through the garbage as well.
                    long accepted = simulator.Stats.WebSocketConnectionsAccepted;
                    simulator.Faults.DropAllSockets();
                    simulator.ProduceTransactions(100);
                    await Eventually.TrueAsync(() => simulator.Stats.WebSocketConnectionsAccepted > accepted && simulator.Stats.SubscriptionsActive > 0,
                        TimeSpan.FromSeconds(60), "the server reconnected");
                }
            }
            // Every kind at least twice before the node heals.
            await Eventually.TrueAsync(() => simulator.Stats.HttpGarbageAnswers >= 6, TimeSpan.FromSeconds(60), "six garbage answers");
            simulator.Faults.HttpGarbageRate = 0;
            simulator.ProduceTransactions(50);
            await server.WaitForCheckpointAsync(LedgerAssert.NewestSignature(simulator), TimeSpan.FromSeconds(90));

            var rpc = (await server.GetStatusAsync()).GetProperty("counters").GetProperty("rpc");
            Assert.True(rpc.GetProperty("garbage").GetInt64() > 0, "unparsable and wrongly typed answers should be counted");
            Assert.True(rpc.GetProperty("oversize").GetInt64() > 0, "oversize answers should be counted");
            var warnings = server.Output.Split('\n')
                .Where(line => line.Contains("warn: SpinPet.Solana.Rpc.SolanaRpcClient", StringComparison.Ordinal)
                    && line.Contains("garbage from the node", StringComparison.Ordinal))
                .ToList();
            Assert.NotEmpty(warnings);
            await server.StopAsync();
        }
        LedgerAssert.StoreEqualsLedger(database.Path, simulator);
    }
}
