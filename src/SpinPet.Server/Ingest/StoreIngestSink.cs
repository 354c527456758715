using SpinPet.Core.Chain;
using SpinPet.Core.Ingest;
using SpinPet.Solana.Ingest;
using SpinPet.Storage;

namespace SpinPet.Server.Ingest;

/// <summary>The ingest's sink in this host: the RocksDB store (one atomic batch per applied group).</summary>
internal sealed class StoreIngestSink(SpinPetStore store) : IIngestSink
{
    public Checkpoint? ReadCheckpoint() => store.ReadCheckpoint();

    public bool Contains(TxSignature signature) => store.ContainsTransaction(signature);

    public uint? LastTxIndexInSlot(ulong slot) => store.LastTxIndexInSlot(slot);

    public void Apply(IReadOnlyList<IngestedTransaction> transactions, Checkpoint checkpoint) =>
        store.Apply(transactions, checkpoint);
}
