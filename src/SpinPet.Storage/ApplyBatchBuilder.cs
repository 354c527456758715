using RocksDbSharp;
using SpinPet.Core.Chain;
using SpinPet.Core.Events;
using SpinPet.Core.Ingest;
using Checkpoint = SpinPet.Core.Ingest.Checkpoint;

namespace SpinPet.Storage;

/// <summary>
/// Stages one <see cref="SpinPetStore.Apply"/> call into a single <see cref="WriteBatch"/>: events, signature
/// rows, rejected payloads, counters and the checkpoint. It is on the ingest hot path, so the batch, the value
/// buffer and the bookkeeping collections live as long as the store and are reset, not reallocated, per call;
/// keys are built on the stack and handed to RocksDB as spans. Used by the single writer only.
/// </summary>
internal sealed class ApplyBatchBuilder : IDisposable
{
    /// <summary>Above this the batch's native buffer (and ours) is released rather than kept for the next call.</summary>
    private const int RetainedBytes = 16 << 20;

    private readonly RocksDb _db;
    private readonly ColumnFamilyHandle _events;
    private readonly ColumnFamilyHandle _signatures;
    private readonly ColumnFamilyHandle _rejected;
    private readonly ColumnFamilyHandle _meta;
    private readonly HashSet<TxSignature> _seenInCall = [];
    private readonly List<IngestedTransaction> _stored = [];
    private readonly ulong[] _eventsByKind = new ulong[StoreCounters.KnownKindSlots];
    private WriteBatch _batch = new();
    private byte[] _buffer = new byte[4096];
    private long _stagedBytes;

    public ApplyBatchBuilder(RocksDb db, ColumnFamilyHandle events, ColumnFamilyHandle signatures, ColumnFamilyHandle rejected, ColumnFamilyHandle meta)
    {
        _db = db;
        _events = events;
        _signatures = signatures;
        _rejected = rejected;
        _meta = meta;
    }

    public WriteBatch Batch => _batch;

    /// <summary>The new, successful transactions staged by the last <see cref="Stage"/>, in the order given.</summary>
    public IReadOnlyList<IngestedTransaction> Stored => _stored;

    /// <summary>
    /// Stages every transaction not stored yet and returns what the batch will do and the counters it writes.
    /// Nothing is written until the caller writes <see cref="Batch"/>; a throw leaves the store untouched.
    /// </summary>
    public (ApplyResult Result, StoreCounters Counters) Stage(
        IReadOnlyList<IngestedTransaction> transactions, in Checkpoint checkpoint, StoreCounters current)
    {
        Reset();
        Span<byte> key = stackalloc byte[Keys.PositionLength];
        Span<byte> row = stackalloc byte[Values.TransactionLength];
        int applied = 0, duplicates = 0, failed = 0, events = 0, rejected = 0;

        // Indexed loops: no enumerator allocation per call on the hot path.
        for (int t = 0; t < transactions.Count; t++)
        {
            var transaction = transactions[t];
            // A local copy: the span over a signature must point at storage that outlives the calls using it.
            TxSignature signature = transaction.Signature;
            if (!_seenInCall.Add(signature) || _db.HasKey(signature.AsSpan(), _signatures))
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
                Put(signature.AsSpan(), row, _signatures);
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
                var value = Buffer(Values.EventLength(payload.Length));
                int length = Values.WriteEvent(value, (EventKind)kind, transaction.BlockTime, signature, payload);
                Keys.WritePosition(key, transaction.Slot, transaction.TxIndex, item.Index);
                Put(key, value[..length], _events);
                _eventsByKind[kind]++;
            }
            events += decoded.Count;

            var rejections = transaction.Rejected;
            CheckCount(signature, rejections.Count, "rejected payloads");
            for (int i = 0; i < rejections.Count; i++)
            {
                var item = rejections[i];
                CheckIndex(signature, i == 0 ? -1 : rejections[i - 1].Index, item.Index, "rejected payloads");
                var payload = item.Payload.Span;
                var value = Buffer(Values.MaxRejectedLength(item.Reason, payload.Length));
                int length = Values.WriteRejected(value, signature, transaction.BlockTime, item.Reason, payload);
                Keys.WritePosition(key, transaction.Slot, transaction.TxIndex, item.Index);
                Put(key, value[..length], _rejected);
            }
            rejected += rejections.Count;

            Values.WriteTransaction(row, transaction.Slot, transaction.TxIndex, (ushort)decoded.Count, failed: false);
            Put(signature.AsSpan(), row, _signatures);
            _stored.Add(transaction);
        }

        var counters = current;
        if (applied > 0)
        {
            counters = current.Add((ulong)events, (ulong)applied, (ulong)failed, (ulong)rejected, _eventsByKind);
            var value = Buffer(Values.CountersLength(counters));
            int length = Values.WriteCounters(value, counters);
            Put(Keys.Counters, value[..length], _meta);
        }
        // Always: the caller may advance the checkpoint past transactions that were all duplicates.
        Span<byte> checkpointValue = stackalloc byte[Values.CheckpointLength];
        Values.WriteCheckpoint(checkpointValue, checkpoint);
        Put(Keys.Checkpoint, checkpointValue, _meta);

        return (new ApplyResult(applied, duplicates, failed, events, rejected), counters);
    }

    public void Dispose() => _batch.Dispose();

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

    private void Put(ReadOnlySpan<byte> key, ReadOnlySpan<byte> value, ColumnFamilyHandle family)
    {
        _batch.Put(key, value, family);
        _stagedBytes += key.Length + value.Length;
    }

    private Span<byte> Buffer(int length)
    {
        if (_buffer.Length < length)
        {
            _buffer = new byte[Math.Max(length, _buffer.Length * 2)];
        }
        return _buffer.AsSpan(0, length);
    }

    private void Reset()
    {
        _seenInCall.Clear();
        _stored.Clear();
        Array.Clear(_eventsByKind);
        // RocksDB keeps a cleared batch's capacity; after an unusually large call, start over with a fresh one so
        // that one backfill burst does not pin its peak memory for the life of the process.
        if (_stagedBytes > RetainedBytes)
        {
            _batch.Dispose();
            _batch = new WriteBatch();
        }
        else
        {
            _batch.Clear();
        }
        _stagedBytes = 0;
        if (_buffer.Length > RetainedBytes)
        {
            _buffer = new byte[4096];
        }
    }
}
