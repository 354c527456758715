using RocksDbSharp;
using SpinPet.Core.Chain;
using SpinPet.Core.Events;
using SpinPet.Core.Ingest;

namespace SpinPet.Storage;

/// <summary>
/// Stages the event-log rows of new transactions into a write: events, signature rows, rejected payloads and the
/// counters. On the ingest hot path, so the bookkeeping collections live as long as the store and are reset, not
/// reallocated, per write; keys are built on the stack. Used by the single writer only.
/// </summary>
internal sealed class EventRowsStager(SpinPetStore store, ColumnFamilyHandle events, ColumnFamilyHandle signatures, ColumnFamilyHandle rejected)
{
    private readonly HashSet<TxSignature> _seenInWrite = [];
    private readonly List<IngestedTransaction> _stored = [];
    private readonly ulong[] _eventsByKind = new ulong[StoreCounters.KnownKindSlots];

    public StagedTransactions Stage(StoreWrite write, IReadOnlyList<IngestedTransaction> transactions)
    {
        Array.Clear(_eventsByKind);
        Span<byte> key = stackalloc byte[Keys.PositionLength];
        Span<byte> row = stackalloc byte[Values.TransactionLength];
        int applied = 0, duplicates = 0, failed = 0, eventCount = 0, rejectedCount = 0;
        long seq = write.Position.Seq;
        int storedBefore = _stored.Count;

        // Indexed loops: no enumerator allocation per call on the hot path.
        for (int t = 0; t < transactions.Count; t++)
        {
            var transaction = transactions[t];
            // A local copy: the span over a signature must point at storage that outlives the calls using it.
            TxSignature signature = transaction.Signature;
            if (!_seenInWrite.Add(signature) || store.Db.HasKey(signature.AsSpan(), signatures))
            {
                duplicates++;
                continue;
            }
            applied++;

            if (transaction.Failed)
            {
                // Reverted: none of its events happened. The row alone keeps it from being fetched or counted again.
                failed++;
                Values.WriteTransaction(row, transaction.Slot, transaction.TxIndex, eventCount: 0, failed: true);
                write.Put(signature.AsSpan(), row, signatures);
                continue;
            }

            var decoded = transaction.Events;
            CheckCount(signature, decoded.Count, "events");
            for (int i = 0; i < decoded.Count; i++)
            {
                var item = decoded[i];
                CheckIndex(signature, i == 0 ? -1 : decoded[i - 1].Index, item.Index, "events");
                int kind = (int)item.Event.Kind;
                if (kind <= 0 || kind >= _eventsByKind.Length)
                {
                    throw new ArgumentException($"Transaction {signature}: event {item.Index} has unknown kind {kind}.", nameof(transactions));
                }
                var payload = item.Payload.Span;
                var value = write.Buffer(Values.EventLength(payload.Length));
                int length = Values.WriteEvent(value, (EventKind)kind, transaction.BlockTime, signature, seq, payload);
                Keys.WritePosition(key, transaction.Slot, transaction.TxIndex, item.Index);
                write.Put(key, value[..length], events);
                _eventsByKind[kind]++;
            }
            eventCount += decoded.Count;

            var rejections = transaction.Rejected;
            CheckCount(signature, rejections.Count, "rejected payloads");
            for (int i = 0; i < rejections.Count; i++)
            {
                var item = rejections[i];
                CheckIndex(signature, i == 0 ? -1 : rejections[i - 1].Index, item.Index, "rejected payloads");
                var payload = item.Payload.Span;
                var value = write.Buffer(Values.MaxRejectedLength(item.Reason, payload.Length));
                int length = Values.WriteRejected(value, signature, transaction.BlockTime, item.Reason, payload);
                Keys.WritePosition(key, transaction.Slot, transaction.TxIndex, item.Index);
                write.Put(key, value[..length], rejected);
            }
            rejectedCount += rejections.Count;

            Values.WriteTransaction(row, transaction.Slot, transaction.TxIndex, (ushort)decoded.Count, failed: false);
            write.Put(signature.AsSpan(), row, signatures);
            _stored.Add(transaction);
        }

        if (applied > 0)
        {
            var counters = store.Meta.PendingCounters.Add((ulong)eventCount, (ulong)applied, (ulong)failed, (ulong)rejectedCount, _eventsByKind);
            store.Meta.StageCounters(write, counters);
        }
        IReadOnlyList<IngestedTransaction> stored = storedBefore == 0 ? _stored : _stored.GetRange(storedBefore, _stored.Count - storedBefore);
        return new StagedTransactions(new ApplyResult(applied, duplicates, failed, eventCount, rejectedCount), stored);
    }

    /// <summary>Forgets what the write staged (called when a write begins and when it ends without a commit).</summary>
    public void Discard()
    {
        _seenInWrite.Clear();
        _stored.Clear();
    }

    private static void CheckCount(in TxSignature signature, int count, string what)
    {
        // The signatures row keeps the event count as a u16.
        if (count > ushort.MaxValue)
        {
            throw new ArgumentException($"Transaction {signature} has {count} {what}; at most {ushort.MaxValue} are stored.");
        }
    }

    /// <summary>
    /// The index is the last part of the row key: a repeated one would silently overwrite a row. The decoder numbers
    /// events in log order, so "strictly increasing" is the cheap check that rules collisions out.
    /// </summary>
    private static void CheckIndex(in TxSignature signature, int previous, ushort index, string what)
    {
        if (index <= previous)
        {
            throw new ArgumentException($"Transaction {signature}: {what} indices must increase, found {previous} then {index}.");
        }
    }
}
