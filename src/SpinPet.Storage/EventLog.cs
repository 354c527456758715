using RocksDbSharp;
using SpinPet.Core.Chain;
using SpinPet.Core.Ingest;

namespace SpinPet.Storage;

/// <summary>
/// The event log (<c>events</c>, <c>signatures</c>, <c>rejected</c>): events in chain order, the signatures index
/// that makes storing idempotent, and rejected payloads kept for replay. <see cref="Stage"/> adds new transactions to
/// a write; the rest are reads, safe from any thread. Layouts: docs/storage.md.
/// </summary>
public sealed class EventLog
{
    private readonly SpinPetStore _store;
    private readonly ColumnFamilyHandle _events;
    private readonly ColumnFamilyHandle _signatures;
    private readonly ColumnFamilyHandle _rejected;
    private readonly EventRowsStager _stager;

    internal EventLog(SpinPetStore store)
    {
        _store = store;
        _events = store.Family(ColumnFamilyNames.Events);
        _signatures = store.Family(ColumnFamilyNames.Signatures);
        _rejected = store.Family(ColumnFamilyNames.Rejected);
        _stager = new EventRowsStager(store, _events, _signatures, _rejected);
    }

    /// <summary>
    /// Stages every transaction not stored yet — not in the signatures index and not earlier in this write — with its
    /// events, rejected payloads, signature row and the counters; a failed one is recorded without events. Returns what
    /// the write will store and the new, successful transactions in the order given (<see cref="StagedTransactions.Stored"/>,
    /// valid until the write ends). A transaction whose event indices do not increase strictly makes it throw: the
    /// write must then be disposed without a commit.
    /// </summary>
    public StagedTransactions Stage(StoreWrite write, IReadOnlyList<IngestedTransaction> transactions)
    {
        ArgumentNullException.ThrowIfNull(write);
        ArgumentNullException.ThrowIfNull(transactions);
        write.ThrowIfClosed();
        return _stager.Stage(write, transactions);
    }

    /// <summary>Whether the transaction is recorded (failed ones included): such a transaction is never applied again.</summary>
    public bool ContainsTransaction(TxSignature signature)
    {
        _store.EnterReader();
        try
        {
            return _store.Db.HasKey(signature.AsSpan(), _signatures);
        }
        finally
        {
            _store.ExitReader();
        }
    }

    /// <summary>
    /// The greatest transaction index with rows (events or rejected payloads) in <paramref name="slot"/>, or null when
    /// the slot has none. A transaction arriving late for that slot is numbered after it, so its rows cannot land on
    /// another transaction's keys. Failed transactions have no rows and so cannot collide.
    /// </summary>
    public uint? LastTxIndexInSlot(ulong slot)
    {
        _store.EnterReader();
        try
        {
            Span<byte> last = stackalloc byte[Keys.PositionLength];
            Keys.WriteLastPositionOfSlot(last, slot);
            uint? inEvents = LastTxIndexIn(_events, ColumnFamilyNames.Events, last, slot);
            uint? inRejected = LastTxIndexIn(_rejected, ColumnFamilyNames.Rejected, last, slot);
            return inEvents is null ? inRejected : inRejected is null ? inEvents : Math.Max(inEvents.Value, inRejected.Value);
        }
        finally
        {
            _store.ExitReader();
        }
    }

    /// <summary>Events in chain order, starting after <paramref name="after"/> (exclusive) when given.</summary>
    public IEnumerable<StoredEvent> ReadEvents(ChainPosition? after = null, int? limit = null)
    {
        _store.ThrowIfDisposed();
        return PositionScan.Scan(_store, _events, after, forward: true, CheckLimit(limit), Values.ReadEvent);
    }

    /// <summary>Events newest first, starting before <paramref name="before"/> (exclusive) when given.</summary>
    public IEnumerable<StoredEvent> ReadEventsNewestFirst(ChainPosition? before = null, int? limit = null)
    {
        _store.ThrowIfDisposed();
        return PositionScan.Scan(_store, _events, before, forward: false, CheckLimit(limit), Values.ReadEvent);
    }

    /// <summary>Rejected payloads in chain order, starting after <paramref name="after"/> (exclusive) when given.</summary>
    public IEnumerable<StoredRejection> ReadRejected(ChainPosition? after = null, int? limit = null)
    {
        _store.ThrowIfDisposed();
        return PositionScan.Scan(_store, _rejected, after, forward: true, CheckLimit(limit), Values.ReadRejected);
    }

    /// <summary>The event stored at <paramref name="position"/>, or null.</summary>
    public StoredEvent? GetEvent(ChainPosition position)
    {
        _store.EnterReader();
        try
        {
            return ReadEventAt(position);
        }
        finally
        {
            _store.ExitReader();
        }
    }

    /// <summary>The signatures row of a stored transaction, or null.</summary>
    internal TransactionRow? ReadTransaction(TxSignature signature)
    {
        _store.EnterReader();
        try
        {
            var value = _store.Db.Get(signature.AsSpan(), _signatures);
            return value is null ? null : Values.ReadTransaction(signature.AsSpan(), value);
        }
        finally
        {
            _store.ExitReader();
        }
    }

    /// <summary>The event at a position; the caller holds a read lease.</summary>
    internal StoredEvent? ReadEventAt(ChainPosition position)
    {
        Span<byte> key = stackalloc byte[Keys.PositionLength];
        Keys.WritePosition(key, position);
        var value = _store.Db.Get(key, _events);
        return value is null ? null : Values.ReadEvent(key, value);
    }

    /// <summary>Whether any event is stored: one Seek.</summary>
    internal bool HasEvents()
    {
        _store.EnterReader();
        try
        {
            using var iterator = _store.Db.NewIterator(_events);
            iterator.SeekToFirst();
            if (iterator.Valid())
            {
                return true;
            }
            Native.Instance.rocksdb_iter_get_error(iterator.Handle);
            return false;
        }
        finally
        {
            _store.ExitReader();
        }
    }

    internal void Discard() => _stager.Discard();

    private static int CheckLimit(int? limit)
    {
        if (limit is { } value)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(value, nameof(limit));
            return value;
        }
        return int.MaxValue;
    }

    private uint? LastTxIndexIn(ColumnFamilyHandle family, string name, ReadOnlySpan<byte> lastKeyOfSlot, ulong slot)
    {
        using var iterator = _store.Db.NewIterator(family);
        iterator.SeekForPrev(lastKeyOfSlot);
        if (!iterator.Valid())
        {
            Native.Instance.rocksdb_iter_get_error(iterator.Handle);
            return null;
        }
        var position = Keys.ReadPosition(name, iterator.GetKeySpan());
        return position.Slot == slot ? position.TxIndex : null;
    }
}

