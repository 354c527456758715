using System.Text.RegularExpressions;
using SpinPet.EndToEnd.Tests.Harness;
using SpinPet.EndToEnd.Tests.Ingest;
using SpinPet.TestSupport;

namespace SpinPet.EndToEnd.Tests.Operations;

public sealed partial class GracefulShutdownTests
{
    /// <summary>
    /// SIGTERM stops the ingest, then flushes the store: exit code 0, every ingested event in the reopened store, and
    /// nothing left in the write-ahead log (it was written to SST files, so nothing depends on a WAL replay).
    /// </summary>
    [Fact]
    public async Task Sigterm_flushes_the_store_after_the_ingest_stopped()
    {
        await using var simulator = await IngestExactlyOnceTests.StartSimulatorAsync(seed: 46);
        simulator.ProduceTransactions(300);
        using var database = new TempFolder();
        string output;
        await using (var server = await IngestExactlyOnceTests.StartServerAsync(simulator, database.Path))
        {
            await server.WaitForCheckpointAsync(LedgerAssert.NewestSignature(simulator), TimeSpan.FromSeconds(90));
            await server.StopAsync();
            Assert.True(server.ExitCode == 0, $"exit code {server.ExitCode}:\n{server.Output}");
            output = server.Output;
        }

        var wal = Directory.GetFiles(database.Path).Where(f => WalFile().IsMatch(Path.GetFileName(f))).ToList();
        Assert.All(wal, f => Assert.True(new FileInfo(f).Length == 0, $"{Path.GetFileName(f)} holds {new FileInfo(f).Length} bytes: the memtables were not flushed"));
        Assert.NotEmpty(Directory.GetFiles(database.Path, "*.sst"));
        Assert.Contains("Storage flushed at shutdown", output, StringComparison.Ordinal);
        LedgerAssert.StoreEqualsLedger(database.Path, simulator);
    }

    // RocksDB's write-ahead logs are numbered NNNNNN.log (its info log is "LOG").
    [GeneratedRegex(@"^\d+\.log$")]
    private static partial Regex WalFile();
}
