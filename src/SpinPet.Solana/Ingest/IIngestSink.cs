using SpinPet.Core.Chain;
using SpinPet.Core.Ingest;

namespace SpinPet.Solana.Ingest;

/// <summary>
/// Where ingested transactions go (the host wires storage, candles and fan-out behind it). The ingest calls it
/// from one loop only, in chain order. <see cref="Apply"/> must be atomic: the transactions and the checkpoint
/// are stored together or not at all.
/// </summary>
public interface IIngestSink
{
    Checkpoint? ReadCheckpoint();

    bool Contains(TxSignature signature);

    /// <summary>The highest transaction index stored for a slot (for a late transaction of an older slot).</summary>
    uint? LastTxIndexInSlot(ulong slot);

    void Apply(IReadOnlyList<IngestedTransaction> transactions, Checkpoint checkpoint);
}
