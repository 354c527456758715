using SpinPet.Core.Chain;
using SpinPet.Core.Ingest;
using SpinPet.Server.Candles;
using SpinPet.Server.Metadata;
using SpinPet.Solana.Ingest;
using SpinPet.Storage;

namespace SpinPet.Server.Ingest;

/// <summary>
/// The ingest's sink in this host: events, candles and checkpoint go to RocksDB in one atomic batch through the
/// candle engine, which then tells the push feature what changed. Created tokens are then queued for their metadata
/// (a non-blocking enqueue; the fetch happens in the background).
/// </summary>
internal sealed class StoreIngestSink(SpinPetStore store, CandleEngine candles, TokenMetadataQueue metadata) : IIngestSink
{
    public Checkpoint? ReadCheckpoint() => store.ReadCheckpoint();

    public bool Contains(TxSignature signature) => store.ContainsTransaction(signature);

    public uint? LastTxIndexInSlot(ulong slot) => store.LastTxIndexInSlot(slot);

    public void Apply(IReadOnlyList<IngestedTransaction> transactions, Checkpoint checkpoint)
    {
        candles.Apply(transactions, checkpoint);
        metadata.OnApplied(transactions);
    }
}
