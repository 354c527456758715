using RocksDbSharp;
using SpinPet.Core.Ingest;
using Checkpoint = SpinPet.Core.Ingest.Checkpoint;

namespace SpinPet.Storage;

/// <summary>
/// Adds a feature's own rows to the batch that stores a set of transactions, so that they commit atomically with
/// the events and the checkpoint: after a crash either both are there or neither is. The feature's column family
/// goes into <see cref="ColumnFamilyNames.All"/> and its handle comes from <see cref="SpinPetStore.GetColumnFamily"/>.
/// </summary>
/// <remarks>
/// Candles, which live in another project, join the batch through the public
/// <c>Apply(transactions, checkpoint, candlesFor)</c> overload instead: the store stages their rows and publishes
/// their counts itself, so that code outside this assembly never sees the <c>WriteBatch</c>.
/// </remarks>
internal interface IStoreBatchContributor
{
    /// <summary>
    /// Called once per <see cref="SpinPetStore.Apply(IReadOnlyList{IngestedTransaction}, Checkpoint, IStoreBatchContributor?)"/>,
    /// after the store staged its rows and before the batch is written, on the writer thread. <paramref name="stored"/>
    /// lists the new, successful transactions of the call in the order given (duplicates and failed ones left out).
    /// The write may still fail after this returns: publish in-memory state only once Apply has returned.
    /// </summary>
    void Contribute(WriteBatch batch, IReadOnlyList<IngestedTransaction> stored);
}
