using System.Runtime.CompilerServices;
using RocksDbSharp;
using SpinPet.Core.Chain;
using SpinPet.Core.Ingest;
using Checkpoint = SpinPet.Core.Ingest.Checkpoint;

namespace SpinPet.Storage;

/// <summary>
/// The event log on RocksDB: events in chain order, the signatures index that makes storing idempotent, rejected
/// payloads kept for replay, and the checkpoint with counters, all written by one atomic batch per
/// <see cref="Apply(IReadOnlyList{IngestedTransaction}, Checkpoint)"/>, together with the derived rows of the REST API
/// (SpinPetStore.Derived.cs); candles (SpinPetStore.Candles.cs) can join that batch. Layouts and options:
/// docs/storage.md.
/// </summary>
/// <remarks>
/// Reads are safe from any thread. Writes come from a single writer, the ingest loop, which applies transactions
/// in chain order; <see cref="Apply(IReadOnlyList{IngestedTransaction}, Checkpoint)"/> takes a lock so that a second
/// caller waits instead of sharing the batch being built. Dispose waits for a write in progress and for open reads.
/// </remarks>
public sealed partial class SpinPetStore : IDisposable
{
    /// <summary>Reads are page-sized scans and point lookups (milliseconds); 5 s means a leaked enumerator.</summary>
    private static readonly TimeSpan ReaderDrainTimeout = TimeSpan.FromSeconds(5);

    private readonly RocksDb _db;
    private readonly ColumnFamilyHandle _events;
    private readonly ColumnFamilyHandle _signatures;
    private readonly ColumnFamilyHandle _rejected;
    private readonly ColumnFamilyHandle _meta;
    private readonly ColumnFamilyHandle _candles;
    private readonly ColumnFamilyHandle _candleTopics;
    private readonly ColumnFamilyHandle _candleLateEvents;
    private readonly ApplyBatchBuilder _builder;
    private readonly CandleWriter _candleWriter;
    private readonly DerivedRowsWriter _derived;

    // WAL on, no fsync per write: see StoreOptions and docs/storage.md, "Crash behaviour".
    private readonly WriteOptions _writeOptions = new WriteOptions().SetSync(false);
    private readonly Lock _writeLock = new();
    private StoreCounters _counters;
    // The checkpoint readers see. It moves only after every in-memory view of its batch (candles, derived rows) is
    // published, so a reader that sees it move also finds everything the batch stored (a reader polling the checkpoint
    // and then listing mints by activity once found the new mints missing). Boxed so that it is swapped atomically.
    private StrongBox<Checkpoint>? _checkpoint;
    private int _readers;
    private int _disposed;

    private SpinPetStore(RocksDb db)
    {
        _db = db;
        _events = db.GetColumnFamily(ColumnFamilyNames.Events);
        _signatures = db.GetColumnFamily(ColumnFamilyNames.Signatures);
        _rejected = db.GetColumnFamily(ColumnFamilyNames.Rejected);
        _meta = db.GetColumnFamily(ColumnFamilyNames.Meta);
        _candles = db.GetColumnFamily(ColumnFamilyNames.Candles);
        _candleTopics = db.GetColumnFamily(ColumnFamilyNames.CandleTopics);
        _candleLateEvents = db.GetColumnFamily(ColumnFamilyNames.CandleLateEvents);
        var counters = db.Get(Keys.Counters, _meta);
        _counters = counters is null ? StoreCounters.Empty : Values.ReadCounters(counters);
        var checkpoint = db.Get(Keys.Checkpoint, _meta);
        _checkpoint = checkpoint is null ? null : new StrongBox<Checkpoint>(Values.ReadCheckpoint(checkpoint));
        _candleWriter = CandleWriter.Load(db, _candles, _candleTopics);
        _derived = DerivedRowsWriter.Load(db, db.GetColumnFamily);
        _builder = new ApplyBatchBuilder(db, _events, _signatures, _rejected, _meta);
        NeedsDerivedRowsRebuild = CheckDerivedRowsMarker();
    }

    /// <summary>Totals of what is stored: loaded at open, replaced after each successful write.</summary>
    public StoreCounters Counters => Volatile.Read(ref _counters);

    /// <summary>Opens the store in <paramref name="path"/>, creating the folder and the database if missing.</summary>
    public static SpinPetStore Open(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        path = Path.GetFullPath(path);
        Directory.CreateDirectory(path);
        var (options, families) = StoreOptions.Create(path);
        RocksDb db;
        try
        {
            db = RocksDb.Open(options, path, families);
        }
        catch (RocksDbException e)
        {
            throw new StoreOpenException($"The RocksDB store at {path} cannot be opened: {e.Message}", e);
        }
        try
        {
            return new SpinPetStore(db);
        }
        catch
        {
            db.Dispose();
            throw;
        }
    }

    /// <summary>
    /// The newest fully processed transaction, or null for an empty store: what is stored, once everything its batch
    /// wrote can be read.
    /// </summary>
    public Checkpoint? ReadCheckpoint()
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        return Volatile.Read(ref _checkpoint)?.Value;
    }

    /// <summary>Whether the transaction is recorded (failed ones included): such a transaction is never applied again.</summary>
    public bool ContainsTransaction(TxSignature signature)
    {
        EnterReader();
        try
        {
            return _db.HasKey(signature.AsSpan(), _signatures);
        }
        finally
        {
            ExitReader();
        }
    }

    /// <summary>
    /// Stores the transactions not stored yet and the checkpoint in one atomic batch. A transaction already stored,
    /// or listed twice, is skipped; a failed one is recorded without events. Call from the single ingest loop, in
    /// chain order; the checkpoint is written as given (whether it advances is the caller's decision).
    /// </summary>
    public ApplyResult Apply(IReadOnlyList<IngestedTransaction> transactions, Checkpoint checkpoint) =>
        ApplyCore(transactions, checkpoint, contributor: null, candlesFor: null);

    /// <summary>
    /// As <see cref="Apply(IReadOnlyList{IngestedTransaction}, Checkpoint)"/>, with the candle rows of the stored
    /// transactions in the same atomic batch: after a crash the events and their candles are both there or both
    /// missing. <paramref name="candlesFor"/> is called once, on the calling thread, after the events were staged and
    /// before the write, with exactly the transactions being stored (new and successful, in the order given; the list
    /// may be empty and is only valid during the call). A throw from it, or from staging the events (e.g. a repeated
    /// event index), writes nothing. Candle counts change only after the write succeeded.
    /// </summary>
    public ApplyResult Apply(
        IReadOnlyList<IngestedTransaction> transactions,
        Checkpoint checkpoint,
        Func<IReadOnlyList<IngestedTransaction>, IReadOnlyList<CandleWrite>>? candlesFor) =>
        ApplyCore(transactions, checkpoint, contributor: null,
            candlesFor is null ? null : stored => new CandleRows(candlesFor(stored) ?? throw NullCandles(), []));

    /// <summary>
    /// As the overload above, with the late-event markers of the stored transactions (<see cref="LateCandleEvent"/>)
    /// in the same batch as well, so that a rebuild from the event log knows exactly which events the live builder
    /// skipped.
    /// </summary>
    public ApplyResult Apply(
        IReadOnlyList<IngestedTransaction> transactions,
        Checkpoint checkpoint,
        Func<IReadOnlyList<IngestedTransaction>, CandleRows> candlesFor) =>
        ApplyCore(transactions, checkpoint, contributor: null, candlesFor ?? throw new ArgumentNullException(nameof(candlesFor)));

    /// <summary>As the public overload, with a feature adding its own rows to the same batch.</summary>
    internal ApplyResult Apply(
        IReadOnlyList<IngestedTransaction> transactions, Checkpoint checkpoint, IStoreBatchContributor? contributor) =>
        ApplyCore(transactions, checkpoint, contributor, candlesFor: null);

    /// <summary>
    /// The greatest transaction index with rows (events or rejected payloads) in <paramref name="slot"/>, or null when
    /// the slot has none. A transaction arriving late for that slot is numbered after it, so its rows cannot land on
    /// another transaction's keys. Failed transactions have no rows and so cannot collide.
    /// </summary>
    public uint? LastTxIndexInSlot(ulong slot)
    {
        EnterReader();
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
            ExitReader();
        }
    }

    /// <summary>Events in chain order, starting after <paramref name="after"/> (exclusive) when given.</summary>
    public IEnumerable<StoredEvent> ReadEvents(ChainPosition? after = null, int? limit = null)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        return Scan(_events, after, forward: true, CheckLimit(limit), Values.ReadEvent);
    }

    /// <summary>Events newest first, starting before <paramref name="before"/> (exclusive) when given.</summary>
    public IEnumerable<StoredEvent> ReadEventsNewestFirst(ChainPosition? before = null, int? limit = null)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        return Scan(_events, before, forward: false, CheckLimit(limit), Values.ReadEvent);
    }

    /// <summary>Rejected payloads in chain order, starting after <paramref name="after"/> (exclusive) when given.</summary>
    public IEnumerable<StoredRejection> ReadRejected(ChainPosition? after = null, int? limit = null)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        return Scan(_rejected, after, forward: true, CheckLimit(limit), Values.ReadRejected);
    }

    /// <summary>
    /// Writes every family's memtable to disk and syncs the WAL: what was applied before the call then survives a
    /// power loss too, and the next open has no WAL to replay. For shutdown and tests, not per batch.
    /// </summary>
    public void Flush()
    {
        EnterReader();
        try
        {
            var options = new FlushOptions().SetWaitForFlush(true);
            IntPtr[] families = [.. ColumnFamilyNames.All.Select(name => _db.GetColumnFamily(name).Handle)];
            Native.Instance.rocksdb_flush_cfs(_db.Handle, options.Handle, families, families.Length);
            Native.Instance.rocksdb_flush_wal(_db.Handle, 1);
        }
        finally
        {
            ExitReader();
        }
    }

    /// <summary>
    /// Closes RocksDB after a write in progress and open reads finish. Closing under an open iterator would be a
    /// use-after-free in native code, so an enumeration that is never disposed makes this throw after 5 s instead.
    /// </summary>
    public void Dispose()
    {
        lock (_writeLock)
        {
            if (Interlocked.Exchange(ref _disposed, 1) != 0)
            {
                return;
            }
        }
        if (!SpinWait.SpinUntil(() => Volatile.Read(ref _readers) == 0, ReaderDrainTimeout))
        {
            throw new InvalidOperationException(
                $"{Volatile.Read(ref _readers)} reads of the store are still open after {ReaderDrainTimeout.TotalSeconds:0} s; " +
                "dispose every enumeration of the store before the store. RocksDB is left open.");
        }
        _builder.Dispose();
        _db.Dispose();
    }

    /// <summary>A family's handle, for a feature that adds its own rows through <see cref="IStoreBatchContributor"/>.</summary>
    internal ColumnFamilyHandle GetColumnFamily(string name) => _db.GetColumnFamily(name);

    /// <summary>The signatures row of a stored transaction, or null.</summary>
    internal TransactionRow? ReadTransaction(TxSignature signature)
    {
        EnterReader();
        try
        {
            var value = _db.Get(signature.AsSpan(), _signatures);
            return value is null ? null : Values.ReadTransaction(signature.AsSpan(), value);
        }
        finally
        {
            ExitReader();
        }
    }

    private ApplyResult ApplyCore(
        IReadOnlyList<IngestedTransaction> transactions,
        Checkpoint checkpoint,
        IStoreBatchContributor? contributor,
        Func<IReadOnlyList<IngestedTransaction>, CandleRows>? candlesFor)
    {
        ArgumentNullException.ThrowIfNull(transactions);
        // The lock serializes writers (the batch, buffers and the check-then-write of the signatures index are
        // shared) and lets Dispose wait for a write in progress. With one ingest loop it is never contended, so
        // holding it across the write costs nothing.
        lock (_writeLock)
        {
            ObjectDisposedException.ThrowIf(_disposed != 0, this);
            _candleWriter.Reset();
            _derived.Reset();
            var (result, counters) = _builder.Stage(transactions, checkpoint, _counters);
            _derived.Stage(_builder.Batch, _builder.Stored);
            contributor?.Contribute(_builder.Batch, _builder.Stored);
            if (candlesFor is not null)
            {
                var rows = candlesFor(_builder.Stored);
                _candleWriter.Stage(_builder.Batch, rows.Candles ?? throw NullCandles());
                StageLateCandleEvents(_builder.Batch, rows.Late ?? []);
            }
            _db.Write(_builder.Batch, _writeOptions);
            Volatile.Write(ref _counters, counters);
            _candleWriter.Publish();
            _derived.Publish();
            Volatile.Write(ref _checkpoint, new StrongBox<Checkpoint>(checkpoint));
            return result;
        }
    }

    private static InvalidOperationException NullCandles() =>
        new("The candle callback returned null; return an empty list for no candles.");

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
        using var iterator = _db.NewIterator(family);
        iterator.SeekForPrev(lastKeyOfSlot);
        if (!iterator.Valid())
        {
            Native.Instance.rocksdb_iter_get_error(iterator.Handle);
            return null;
        }
        var position = Keys.ReadPosition(name, iterator.GetKeySpan());
        return position.Slot == slot ? position.TxIndex : null;
    }

    /// <summary>
    /// Walks a position-keyed family. The lazy body takes a read lease at the first MoveNext and the iterator's
    /// <c>finally</c> releases it and the native iterator, also when the caller stops early (foreach disposes).
    /// Each row is copied out before moving on: the iterator's spans are only valid until the next step.
    /// </summary>
    private IEnumerable<T> Scan<T>(ColumnFamilyHandle family, ChainPosition? from, bool forward, int limit, RowReader<T> read)
    {
        if (limit == 0)
        {
            yield break;
        }
        EnterReader();
        try
        {
            using var iterator = _db.NewIterator(family);
            Seek(iterator, from, forward);
            int count = 0;
            while (iterator.Valid())
            {
                yield return read(iterator.GetKeySpan(), iterator.GetValueSpan());
                if (++count == limit)
                {
                    yield break;
                }
                if (forward)
                {
                    iterator.Next();
                }
                else
                {
                    iterator.Prev();
                }
            }
            // An iterator also stops being valid on an I/O error or corruption; that must not look like the end.
            Native.Instance.rocksdb_iter_get_error(iterator.Handle);
        }
        finally
        {
            ExitReader();
        }
    }

    private static void Seek(Iterator iterator, ChainPosition? from, bool forward)
    {
        if (from is not { } position)
        {
            if (forward)
            {
                iterator.SeekToFirst();
            }
            else
            {
                iterator.SeekToLast();
            }
            return;
        }
        Span<byte> key = stackalloc byte[Keys.PositionLength];
        Keys.WritePosition(key, position);
        // Seek lands on the first key ≥ the position, SeekForPrev on the last key ≤ it; the bound is exclusive.
        if (forward)
        {
            iterator.Seek(key);
            if (iterator.Valid() && iterator.GetKeySpan().SequenceEqual(key))
            {
                iterator.Next();
            }
        }
        else
        {
            iterator.SeekForPrev(key);
            if (iterator.Valid() && iterator.GetKeySpan().SequenceEqual(key))
            {
                iterator.Prev();
            }
        }
    }

    /// <summary>Native calls after close would read freed memory, so every read holds a lease that Dispose waits for.</summary>
    private void EnterReader()
    {
        // Increment before checking: with Dispose setting the flag before counting, one of the two always sees the other.
        Interlocked.Increment(ref _readers);
        if (Volatile.Read(ref _disposed) != 0)
        {
            Interlocked.Decrement(ref _readers);
            throw new ObjectDisposedException(nameof(SpinPetStore));
        }
    }

    private void ExitReader() => Interlocked.Decrement(ref _readers);

    private delegate T RowReader<out T>(ReadOnlySpan<byte> key, ReadOnlySpan<byte> value);
}
