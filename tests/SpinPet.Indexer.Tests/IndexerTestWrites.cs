using SpinPet.Core.Candles;
using SpinPet.Core.Ingest;
using SpinPet.Core.Events;
using SpinPet.Core.Stream;
using SpinPet.Indexer.Candles;
using SpinPet.Storage;

namespace SpinPet.Indexer.Tests;

/// <summary>How the tests feed an indexer: batches at the next position, as the in-process stream appends them.</summary>
internal static class IndexerTestWrites
{
    public static SpinPetIndexer Create(SpinPetStore store, IReadOnlyList<Interval> intervals, PriceScale scale, VolumeUnit unit, params IAppliedBatchListener[] listeners) =>
        new(store, new CandleSettings(intervals, scale, unit), listeners);

    /// <summary>Transactions and the checkpoint they reach, as one batch.</summary>
    public static AppliedBatch? Apply(this SpinPetIndexer indexer, IReadOnlyList<IngestedTransaction> transactions, Checkpoint checkpoint) =>
        indexer.Apply(StreamBatch.Of(transactions, checkpoint), indexer.Position.Next());

    /// <summary>
    /// What the ingest appends when it is caught up (or not) at <paramref name="wallClockMs"/>: the clock it may finalize
    /// by, as a batch, when an open candle ended by it. Returns how many candles it finalized.
    /// </summary>
    public static int FinalizeDue(this SpinPetIndexer indexer, long wallClockMs, bool caughtUp, int graceMs)
    {
        var by = CandleFinalizer.FinalizeBy(caughtUp ? indexer.ChainClock : null, caughtUp ? wallClockMs : null, graceMs);
        if (by is not { } clock || !(indexer.EarliestOpenCandleEnd <= clock))
        {
            return 0;
        }
        return indexer.Apply(StreamBatch.FinalizeAt(clock), indexer.Position.Next())?.Candles.Count ?? 0;
    }
}

/// <summary>Records every announcement (the fan-out's view).</summary>
internal sealed class RecordingListener : IAppliedBatchListener
{
    public List<AppliedBatch> Batches { get; } = [];

    /// <summary>The candle rows of each announcement, copied (the indexer reuses its lists).</summary>
    public List<List<CandleWrite>> Candles { get; } = [];

    public void OnApplied(AppliedBatch batch)
    {
        Batches.Add(batch);
        Candles.Add([.. batch.Candles]);
    }
}

/// <summary>A store's batches through an indexer with the default intervals: events, candles and the REST index rows.</summary>
internal static class StoreIndexing
{
    public static ApplyResult Index(this SpinPetStore store, IReadOnlyList<IngestedTransaction> transactions, Checkpoint checkpoint) =>
        IndexerTestWrites.Create(store, Interval.Required, PriceScale.Default, VolumeUnit.Sol).Apply(transactions, checkpoint)?.Result ?? default;
}
