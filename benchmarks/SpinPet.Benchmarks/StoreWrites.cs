using SpinPet.Core.Ingest;
using SpinPet.Core.Stream;
using SpinPet.Indexer.Indexes;
using SpinPet.Storage;

namespace SpinPet.Benchmarks;

/// <summary>
/// The writes of the benchmarks that measure storage without candles: one batch's events, checkpoint and REST index
/// rows in one write (what the indexer writes for a batch, less the candles), and candle rows alone.
/// </summary>
internal sealed class StoreWrites(SpinPetStore store)
{
    private readonly IndexRowsWriter _indexRows = new(store.Indexes);

    public ApplyResult ApplyWithoutCandles(IReadOnlyList<IngestedTransaction> transactions, Checkpoint checkpoint)
    {
        using var write = store.BeginWrite(store.Meta.Position.Next());
        var staged = store.Events.Stage(write, transactions);
        store.Meta.StageCheckpoint(write, checkpoint);
        _indexRows.Stage(write, staged.Stored);
        write.Commit();
        return staged.Result;
    }

    public void WriteCandles(IReadOnlyList<CandleWrite> candles)
    {
        using var write = store.BeginWrite(store.Meta.Position.Next());
        store.Candles.Stage(write, candles);
        write.Commit();
    }

    /// <summary>The position a new store starts at (its epoch, seq 0).</summary>
    public StreamPosition Position => store.Meta.Position;
}
