using SpinPet.EndToEnd.Tests.Harness;
using SpinPet.Storage;
using SpinPet.TestSupport;

namespace SpinPet.EndToEnd.Tests.Ingest;

public sealed class BackfillSinceSlotTests
{
    [Fact]
    public async Task A_first_start_with_backfill_since_slot_stores_only_what_is_at_or_after_that_slot()
    {
        await using var simulator = await IngestExactlyOnceTests.StartSimulatorAsync(seed: 17);
        simulator.ProduceTransactions(600);
        var blocks = simulator.Blocks.Where(b => b.Transactions.Count > 0).ToList();
        ulong since = blocks[blocks.Count / 2].Slot;
        using var database = new TempFolder();
        var settings = ServerProcess.SettingsFor(simulator.RpcUri, simulator.WsUri, database.Path);
        settings["SPIN_SOLANA__BACKFILL_SINCE_SLOT"] = since.ToString(System.Globalization.CultureInfo.InvariantCulture);
        await using (var server = await ServerProcess.StartAsync(settings))
        {
            await server.WaitForCheckpointAsync(LedgerAssert.NewestSignature(simulator), TimeSpan.FromSeconds(90));
            await server.StopAsync();
        }

        var expected = simulator.ExpectedEvents().Where(e => e.Slot >= since).Select(e => (e.Signature, e.Slot, e.EventIndex)).ToList();
        using var store = SpinPetStore.Open(database.Path);
        var stored = store.Events.ReadEvents().Select(e => (Signature: e.Signature.ToString(), e.Position.Slot, EventIndex: (int)e.Position.EventIndex)).ToList();
        Assert.True(expected.Count > 0 && expected.Count < simulator.ExpectedEvents().Count, "the floor should split the history");
        Assert.Equal(expected, stored);
        Assert.Equal((ulong)blocks.Where(b => b.Slot >= since).Sum(b => b.Transactions.Count), store.Meta.Counters.Transactions);
    }
}
