using SpinPet.ChainSimulator;
using SpinPet.EndToEnd.Tests.Harness;
using SpinPet.TestSupport;

namespace SpinPet.EndToEnd.Tests.Ingest;

/// <summary>
/// The log is not on the ingest's path: a chain that makes every transaction worth a warning (here, a malformed
/// payload beside every event), logged to a standard output nobody reads (a stalled log collector), must not stop the
/// ingest. Before, the console logger's bounded queue filled behind the full pipe and then blocked the thread that
/// logged, the ingest's own, for good: the checkpoint stopped moving.
/// </summary>
public sealed class StalledLogTests
{
    private static readonly TimeSpan CatchUp = TimeSpan.FromSeconds(120);

    [Fact]
    public async Task A_warning_per_transaction_to_a_stdout_nobody_reads_does_not_stop_the_ingest()
    {
        var options = new SimulatorOptions
        {
            Seed = 43,
            MintCount = 6,
            MalformedDataRate = 1.0,
            GenesisUnixTime = IngestExactlyOnceTests.ADayAgo,
        };
        await using var simulator = new ChainSimulator.ChainSimulator(options);
        await simulator.StartAsync(TestContext.Current.CancellationToken);
        simulator.ProduceTransactions(6000);
        // More warnings than the console logger queues (2,500) plus what a pipe's buffer holds (64 KB, a few hundred
        // lines), or this test proves nothing.
        int malformed = simulator.ExpectedMalformedData().Count;
        Assert.True(malformed > 4000, $"{malformed} malformed payloads");

        using var database = new TempFolder();
        var settings = IngestExactlyOnceTests.ServerSettings(simulator, database.Path, IngestExactlyOnceTests.OnlyTheChainClockFinalizes);
        await using var server = await ServerProcess.StartWithStdoutUnreadAsync(settings);
        await server.WaitForCheckpointAsync(LedgerAssert.NewestSignature(simulator), CatchUp);
        // Live too: notifications go through the same path.
        simulator.ProduceTransactions(500);
        await server.WaitForCheckpointAsync(LedgerAssert.NewestSignature(simulator), CatchUp);

        var counters = (await server.GetStatusAsync()).GetProperty("counters");
        Assert.Equal(simulator.ExpectedMalformedData().Count, counters.GetProperty("rejected_payloads_stored").GetInt64());
        await server.StopAsync();
        LedgerAssert.StoreEqualsLedger(database.Path, simulator);
    }
}
