using SpinPet.Core.Ingest;

namespace SpinPet.Storage.Tests;

/// <summary>
/// The writes the store tests make, each one <see cref="StoreWrite"/> at the next position: the event-log part of a
/// batch (its transactions and checkpoint), candle rows alone, and the candle rebuild's first and last writes.
/// </summary>
internal static class StoreTestWrites
{
    public static ApplyResult Apply(this SpinPetStore store, IReadOnlyList<IngestedTransaction> transactions, Checkpoint checkpoint)
    {
        using var write = store.BeginWrite(store.Meta.Position.Next());
        var staged = store.Events.Stage(write, transactions);
        store.Meta.StageCheckpoint(write, checkpoint);
        write.Commit();
        return staged.Result;
    }

    /// <summary>
    /// As <see cref="Apply"/>, with candle rows the caller builds from exactly the transactions being stored, between
    /// staging and the commit (what the indexer does): a throw there leaves the write uncommitted.
    /// </summary>
    public static ApplyResult Apply(
        this SpinPetStore store, IReadOnlyList<IngestedTransaction> transactions, Checkpoint checkpoint,
        Func<IReadOnlyList<IngestedTransaction>, IReadOnlyList<CandleWrite>> candlesFor) =>
        store.Apply(transactions, checkpoint, stored => new CandleRows(candlesFor(stored), []));

    /// <summary>As above, with late-event markers.</summary>
    public static ApplyResult Apply(
        this SpinPetStore store, IReadOnlyList<IngestedTransaction> transactions, Checkpoint checkpoint,
        Func<IReadOnlyList<IngestedTransaction>, CandleRows> candlesFor)
    {
        using var write = store.BeginWrite(store.Meta.Position.Next());
        var staged = store.Events.Stage(write, transactions);
        store.Meta.StageCheckpoint(write, checkpoint);
        var rows = candlesFor(staged.Stored);
        store.Candles.Stage(write, rows.Candles);
        store.Candles.StageLateEvents(write, rows.Late);
        write.Commit();
        return staged.Result;
    }

    /// <summary>As <see cref="Apply"/>, with one more row of any family in the same write (a corrupt one, say).</summary>
    public static ApplyResult ApplyWithRow(
        this SpinPetStore store, IReadOnlyList<IngestedTransaction> transactions, Checkpoint checkpoint, string family, byte[] key, byte[] value)
    {
        using var write = store.BeginWrite(store.Meta.Position.Next());
        var staged = store.Events.Stage(write, transactions);
        store.Meta.StageCheckpoint(write, checkpoint);
        write.Put(key, value, store.Family(family));
        write.Commit();
        return staged.Result;
    }

    public static void WriteCandles(this SpinPetStore store, IReadOnlyList<CandleWrite> candles)
    {
        using var write = store.BeginWrite(store.Meta.Position.Next());
        store.Candles.Stage(write, candles);
        write.Commit();
    }

    public static void DeleteAllCandles(this SpinPetStore store)
    {
        using var write = store.BeginWrite(store.Meta.Position.Next());
        store.Candles.StageDeleteAll(write);
        write.Commit();
    }

    public static void BeginCandleRebuild(this SpinPetStore store)
    {
        using var write = store.BeginWrite(store.Meta.Position.Next());
        store.Candles.StageDeleteAll(write);
        store.Meta.StageCandleRebuildPending(write);
        write.Commit();
    }

    public static void CompleteCandleRebuild(this SpinPetStore store, IReadOnlyList<CandleWrite> candles, string settings)
    {
        using var write = store.BeginWrite(store.Meta.Position.Next());
        store.Candles.Stage(write, candles);
        store.Meta.StageCandleSettings(write, settings);
        write.Commit();
    }
}

/// <summary>The candle rows and late-event markers a test's candle builder adds to a write.</summary>
internal readonly record struct CandleRows(IReadOnlyList<CandleWrite> Candles, IReadOnlyList<LateCandleEvent> Late);
