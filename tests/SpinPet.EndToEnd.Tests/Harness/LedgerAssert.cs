using SpinPet.ChainSimulator;
using SpinPet.Storage;

namespace SpinPet.EndToEnd.Tests.Harness;

/// <summary>
/// Compares what the server stored with the simulator's ledger: every event, once, in chain order, and every
/// malformed data line of ours kept for replay (rejected or unknown discriminator), once, in chain order.
/// </summary>
internal static class LedgerAssert
{
    public static void StoreEqualsLedger(string database, ChainSimulator.ChainSimulator simulator)
    {
        var expected = simulator.ExpectedEvents();
        var programTransactions = simulator.Blocks.Sum(b => b.Transactions.Count);
        var failed = simulator.Blocks.Sum(b => b.Transactions.Count(t => t.Failed));
        using var store = SpinPetStore.Open(database);
        var stored = store.Events.ReadEvents().ToList();

        // Compare element by element first, so a failure names the first divergence rather than just a count.
        int common = Math.Min(expected.Count, stored.Count);
        for (int i = 0; i < common; i++)
        {
            var want = expected[i];
            var got = stored[i];
            var where = $"event #{i} (expected {want.Signature}/{want.EventIndex} at slot {want.Slot})";
            Assert.True(want.Signature == got.Signature.ToString(), $"{where}: got {got.Signature}/{got.Position}");
            Assert.True(want.EventIndex == got.Position.EventIndex, $"{where}: got event index {got.Position.EventIndex}");
            Assert.True(want.Slot == got.Position.Slot, $"{where}: got slot {got.Position.Slot}");
            Assert.True(want.TxIndexInSlot == (int)got.Position.TxIndex, $"{where}: got tx index {got.Position.TxIndex}, want {want.TxIndexInSlot}");
            Assert.True(want.BlockTime == got.BlockTime, $"{where}: got block time {got.BlockTime}, want {want.BlockTime}");
            Assert.True(want.Payload.AsSpan().SequenceEqual(got.Payload.Span), $"{where}: payload differs");
        }
        Assert.Equal(expected.Count, stored.Count);
        Assert.Equal((ulong)expected.Count, store.Meta.Counters.Events);
        Assert.Equal((ulong)programTransactions, store.Meta.Counters.Transactions);
        Assert.Equal((ulong)failed, store.Meta.Counters.FailedTransactions);
        KeptPayloadsEqualLedger(store, simulator);
    }

    private static void KeptPayloadsEqualLedger(SpinPetStore store, ChainSimulator.ChainSimulator simulator)
    {
        var expected = simulator.ExpectedMalformedData();
        var kept = store.Events.ReadRejected().ToList();
        int common = Math.Min(expected.Count, kept.Count);
        for (int i = 0; i < common; i++)
        {
            var want = expected[i];
            var got = kept[i];
            var where = $"kept payload #{i} (expected {want.Kind} {want.Signature}/{want.EventIndex} at slot {want.Slot})";
            Assert.True(want.Signature == got.Signature.ToString(), $"{where}: got {got.Signature}/{got.Position}");
            Assert.True(want.EventIndex == got.Position.EventIndex, $"{where}: got event index {got.Position.EventIndex}");
            Assert.True(want.Slot == got.Position.Slot, $"{where}: got slot {got.Position.Slot}");
            Assert.True(want.TxIndexInSlot == (int)got.Position.TxIndex, $"{where}: got tx index {got.Position.TxIndex}, want {want.TxIndexInSlot}");
            Assert.True(want.BlockTime == got.BlockTime, $"{where}: got block time {got.BlockTime}, want {want.BlockTime}");
            Assert.True(want.Payload.AsSpan().SequenceEqual(got.Payload.Span), $"{where}: payload differs ({got.Reason})");
        }
        Assert.Equal(expected.Count, kept.Count);
        Assert.Equal((ulong)expected.Count, store.Meta.Counters.RejectedPayloads);
    }

    public static string NewestSignature(ChainSimulator.ChainSimulator simulator) =>
        simulator.Blocks.Last(b => b.Transactions.Count > 0).Transactions[^1].Signature;
}
