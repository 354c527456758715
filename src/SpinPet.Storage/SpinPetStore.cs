using RocksDbSharp;
using SpinPet.Core.Stream;

namespace SpinPet.Storage;

/// <summary>
/// The RocksDB database (docs/storage.md): it opens the store with its column families, hands out read leases, and
/// owns one type per family group — <see cref="Events"/> (events, signatures, rejected payloads), <see cref="Candles"/>
/// (candles, topics, late-event markers), <see cref="Indexes"/> (the REST API's rows), <see cref="TokenMetadata"/>,
/// <see cref="Meta"/> (checkpoint, counters, settings, position, health) and <see cref="Backfill"/> (the backfill's
/// listing). Everything that belongs to one applied batch is written by one <see cref="StoreWrite"/>
/// (<see cref="BeginWrite"/>): the caller stages rows through the groups and commits once. The store calls nobody
/// back and knows no domain rule.
/// </summary>
/// <remarks>
/// Reads are safe from any thread. One unit of work is open at a time (a second <see cref="BeginWrite"/> is refused:
/// the store has one writer, the indexer). Dispose waits for a write in progress and for open reads.
/// </remarks>
public sealed class SpinPetStore : IDisposable
{
    /// <summary>Reads are page-sized scans and point lookups (milliseconds); 5 s means a leaked enumerator.</summary>
    private static readonly TimeSpan ReaderDrainTimeout = TimeSpan.FromSeconds(5);

    private readonly StoreWrite _write;
    private int _readers;
    private int _disposed;
    private int _writeOpen;

    private SpinPetStore(RocksDb db)
    {
        Db = db;
        Meta = new StoreMeta(this);
        Events = new EventLog(this);
        Candles = new CandleStore(this);
        Indexes = new RestIndexStore(this);
        TokenMetadata = new TokenMetadataStore(this);
        Backfill = new BackfillStore(this);
        _write = new StoreWrite(this);
    }

    /// <summary>The event log: events, the signatures index that makes storing idempotent, rejected payloads.</summary>
    public EventLog Events { get; }

    /// <summary>Candles, their topic rows (counts) and the late-event markers.</summary>
    public CandleStore Candles { get; }

    /// <summary>The rows the REST API lists: events by mint and user, mints, open orders, user event counts.</summary>
    public RestIndexStore Indexes { get; }

    public TokenMetadataStore TokenMetadata { get; }

    /// <summary>Checkpoint, counters, the stream position, candle settings and the health probe.</summary>
    public StoreMeta Meta { get; }

    /// <summary>The backfill's listing while it is listed and applied.</summary>
    public BackfillStore Backfill { get; }

    internal RocksDb Db { get; }

    // WAL on, no fsync per write: see StoreOptions and docs/storage.md, "Crash behaviour".
    internal WriteOptions WriteOptions { get; } = new WriteOptions().SetSync(false);

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
    /// Opens the unit of work of one batch, recorded at <paramref name="position"/> (written with the batch's rows):
    /// stage rows through the groups, then <see cref="StoreWrite.Commit"/> once; disposing without a commit writes
    /// nothing. Only one write is open at a time: a second call before the first is disposed throws.
    /// </summary>
    public StoreWrite BeginWrite(StreamPosition position)
    {
        ArgumentException.ThrowIfNullOrEmpty(position.Epoch);
        ArgumentOutOfRangeException.ThrowIfNegative(position.Seq);
        if (Interlocked.CompareExchange(ref _writeOpen, 1, 0) != 0)
        {
            throw new InvalidOperationException("A write is already open: the store takes one unit of work at a time (one writer).");
        }
        try
        {
            EnterReader();
        }
        catch
        {
            Volatile.Write(ref _writeOpen, 0);
            throw;
        }
        _write.Begin(position);
        return _write;
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
            IntPtr[] families = [.. ColumnFamilyNames.All.Select(name => Db.GetColumnFamily(name).Handle)];
            Native.Instance.rocksdb_flush_cfs(Db.Handle, options.Handle, families, families.Length);
            Native.Instance.rocksdb_flush_wal(Db.Handle, 1);
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
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }
        if (!SpinWait.SpinUntil(() => Volatile.Read(ref _readers) == 0, ReaderDrainTimeout))
        {
            throw new InvalidOperationException(
                $"{Volatile.Read(ref _readers)} reads or writes of the store are still open after {ReaderDrainTimeout.TotalSeconds:0} s; " +
                "dispose every enumeration and write of the store before the store. RocksDB is left open.");
        }
        _write.Release();
        Db.Dispose();
    }

    internal ColumnFamilyHandle Family(string name) => Db.GetColumnFamily(name);

    internal void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);

    /// <summary>Writes a batch of rows that belong to no applied batch (the backfill's listing, token metadata).</summary>
    internal void WriteAlone(WriteBatch batch)
    {
        EnterReader();
        try
        {
            Db.Write(batch, WriteOptions);
        }
        finally
        {
            ExitReader();
        }
    }

    /// <summary>One row by key under a read lease, decoded by <paramref name="read"/>; null when the key is absent.</summary>
    internal T? ReadRow<T>(ReadOnlySpan<byte> key, ColumnFamilyHandle family, PositionScan.RowReader<T> read)
        where T : class
    {
        EnterReader();
        try
        {
            var value = Db.Get(key, family);
            return value is null ? null : read(key, value);
        }
        finally
        {
            ExitReader();
        }
    }

    /// <summary>Called by the write when it ends, committed or not.</summary>
    internal void EndWrite()
    {
        ExitReader();
        Volatile.Write(ref _writeOpen, 0);
    }

    /// <summary>Native calls after close would read freed memory, so every read holds a lease that Dispose waits for.</summary>
    internal void EnterReader()
    {
        // Increment before checking: with Dispose setting the flag before counting, one of the two always sees the other.
        Interlocked.Increment(ref _readers);
        if (Volatile.Read(ref _disposed) != 0)
        {
            Interlocked.Decrement(ref _readers);
            throw new ObjectDisposedException(nameof(SpinPetStore));
        }
    }

    internal void ExitReader() => Interlocked.Decrement(ref _readers);

    /// <summary>Every row of a family as raw bytes, in key order: for tests that compare stored state byte for byte.</summary>
    internal List<(byte[] Key, byte[] Value)> ReadRawRows(string familyName)
    {
        EnterReader();
        try
        {
            var rows = new List<(byte[], byte[])>();
            using var iterator = Db.NewIterator(Family(familyName));
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
}
