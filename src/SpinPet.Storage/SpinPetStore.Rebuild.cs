using RocksDbSharp;
using SpinPet.Core.Events;
using SpinPet.Core.Ingest;

namespace SpinPet.Storage;

/// <summary>
/// The derived rows' upgrade path: the marker that says they cover the event log, and the rebuild that recomputes
/// them from it (docs/storage.md, "Upgrading and rebuilding").
/// </summary>
public sealed partial class SpinPetStore
{
    /// <summary>Transactions per batch while rebuilding: ~20 k events keeps a batch at a few MB.</summary>
    private const int RebuildBatchEvents = 20_000;

    private static ReadOnlySpan<byte> DerivedRowsMarkerKey => "derived_rows"u8;

    private static ReadOnlySpan<byte> DerivedRowsMarker => [IndexValues.DerivedRowsVersion];

    /// <summary>
    /// True when the database has events but not every derived row of this version (it was written by a version
    /// without them, or without some of them: its marker is older than <see cref="IndexValues.DerivedRowsVersion"/>):
    /// call <see cref="RebuildDerivedRows"/> before ingesting.
    /// </summary>
    public bool NeedsDerivedRowsRebuild { get; private set; }

    /// <summary>
    /// Recomputes every derived row from the event log: empties the derived families, then replays the stored events
    /// in chain order through the same code that writes them during ingest, in batches, and marks the database as
    /// having derived rows. <paramref name="decode"/> turns a stored payload into its event (the store does not
    /// depend on the decoder); a payload it cannot decode is skipped. Returns the number of events replayed. Run
    /// before the ingest starts: it holds the write lock throughout.
    /// </summary>
    public long RebuildDerivedRows(Func<ReadOnlyMemory<byte>, SpinPetEvent?> decode)
    {
        ArgumentNullException.ThrowIfNull(decode);
        lock (_writeLock)
        {
            ObjectDisposedException.ThrowIf(_disposed != 0, this);
            using (var clear = new WriteBatch())
            {
                _derived.StageClear(clear);
                _db.Write(clear, _writeOptions);
                _derived.Publish();
            }

            var transactions = new List<IngestedTransaction>();
            List<DecodedEvent>? events = null;
            StoredEvent? first = null;
            long replayed = 0;
            int staged = 0;
            foreach (var stored in ReadEvents())
            {
                if (first is null || stored.Position.Slot != first.Position.Slot || stored.Position.TxIndex != first.Position.TxIndex)
                {
                    AddTransaction(transactions, first, events);
                    if (staged >= RebuildBatchEvents)
                    {
                        WriteDerived(transactions);
                        staged = 0;
                    }
                    first = stored;
                    events = [];
                }
                if (decode(stored.Payload) is { } decoded)
                {
                    events!.Add(new DecodedEvent(stored.Position.EventIndex, stored.Payload, decoded));
                    replayed++;
                    staged++;
                }
            }
            AddTransaction(transactions, first, events);
            WriteDerived(transactions);

            _db.Put(DerivedRowsMarkerKey, DerivedRowsMarker, _meta);
            NeedsDerivedRowsRebuild = false;
            return replayed;
        }
    }

    /// <summary>Every row of a family as raw bytes, in key order: for tests that compare derived state byte for byte.</summary>
    internal List<(byte[] Key, byte[] Value)> ReadRawRows(string familyName)
    {
        EnterReader();
        try
        {
            var rows = new List<(byte[], byte[])>();
            using var iterator = _db.NewIterator(_db.GetColumnFamily(familyName));
            for (iterator.SeekToFirst(); iterator.Valid(); iterator.Next())
            {
                rows.Add((iterator.Key(), iterator.Value()));
            }
            Native.Instance.rocksdb_iter_get_error(iterator.Handle);
            return rows;
        }
        finally
        {
            ExitReader();
        }
    }

    private static void AddTransaction(List<IngestedTransaction> transactions, StoredEvent? first, List<DecodedEvent>? events)
    {
        if (first is not null && events is { Count: > 0 })
        {
            transactions.Add(new IngestedTransaction(first.Signature, first.Position.Slot, first.Position.TxIndex, first.BlockTime,
                Failed: false, events, []));
        }
    }

    private void WriteDerived(List<IngestedTransaction> transactions)
    {
        using var batch = new WriteBatch();
        _derived.Reset();
        _derived.Stage(batch, transactions);
        _db.Write(batch, _writeOptions);
        _derived.Publish();
        transactions.Clear();
    }

    /// <summary>
    /// A database without the marker row was written before derived rows existed, one with an older marker before some
    /// of them (version 1 had no user_event_counts). An empty one gets the current marker now; one with events needs a
    /// rebuild.
    /// </summary>
    private bool CheckDerivedRowsMarker()
    {
        if (_db.Get(DerivedRowsMarkerKey, _meta) is { Length: > 0 } marker && marker[0] >= IndexValues.DerivedRowsVersion)
        {
            return false;
        }
        using (var iterator = _db.NewIterator(_events))
        {
            iterator.SeekToFirst();
            if (iterator.Valid())
            {
                return true;
            }
            Native.Instance.rocksdb_iter_get_error(iterator.Handle);
        }
        _db.Put(DerivedRowsMarkerKey, DerivedRowsMarker, _meta);
        return false;
    }
}
