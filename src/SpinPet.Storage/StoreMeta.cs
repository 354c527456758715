using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Text;
using RocksDbSharp;
using SpinPet.Core.Ingest;
using SpinPet.Core.Stream;
using Checkpoint = SpinPet.Core.Ingest.Checkpoint;

namespace SpinPet.Storage;

/// <summary>
/// The <c>meta</c> family (docs/storage.md, "meta rows"): the checkpoint, the counters and the stream position, written
/// with every batch and kept in memory; the settings the stored candles were built with and the rebuild marker; the
/// health probe's row. A database without a position row (new, or written before positions) gets a new epoch at seq 0
/// when it opens.
/// </summary>
public sealed class StoreMeta
{
    private const byte PositionVersion = 1;

    private readonly SpinPetStore _store;
    private readonly ColumnFamilyHandle _meta;
    private StoreCounters _counters;
    // The checkpoint and position readers see. They move only after every in-memory view of their batch (candles,
    // derived rows) is published, so a reader that sees them move also finds everything the batch stored (a reader
    // polling the checkpoint and then listing mints by activity once found the new mints missing). Boxed so that each
    // is swapped atomically.
    private StrongBox<Checkpoint>? _checkpoint;
    private StrongBox<StreamPosition> _position;
    private StoreCounters? _pendingCounters;
    private Checkpoint? _pendingCheckpoint;
    private StreamPosition? _pendingPosition;
    private long _resumeFloor;
    private long? _pendingResumeFloor;

    internal StoreMeta(SpinPetStore store)
    {
        _store = store;
        var db = store.Db;
        _meta = store.Family(ColumnFamilyNames.Meta);
        var counters = db.Get(Keys.Counters, _meta);
        _counters = counters is null ? StoreCounters.Empty : Values.ReadCounters(counters);
        var checkpoint = db.Get(Keys.Checkpoint, _meta);
        _checkpoint = checkpoint is null ? null : new StrongBox<Checkpoint>(Values.ReadCheckpoint(checkpoint));
        var floor = db.Get(ResumeFloorKey, _meta);
        _resumeFloor = floor is { Length: 8 } ? BinaryPrimitives.ReadInt64BigEndian(floor) : 0;
        if (db.Get(PositionKey, _meta) is { } position)
        {
            _position = new StrongBox<StreamPosition>(ReadPosition(position));
        }
        else
        {
            // A new database, or one from before positions: a new history starts here, at seq 0.
            _position = new StrongBox<StreamPosition>(new StreamPosition(StreamPosition.NewEpoch(), 0));
            db.Put(PositionKey, WritePosition(_position.Value), _meta, store.WriteOptions);
        }
    }

    /// <summary>Totals of what is stored: loaded at open, replaced after each successful write.</summary>
    public StoreCounters Counters => Volatile.Read(ref _counters);

    /// <summary>The position of the newest committed write: the last applied batch (or the rebuild that began an epoch).</summary>
    public StreamPosition Position
    {
        get
        {
            _store.ThrowIfDisposed();
            return Volatile.Read(ref _position).Value;
        }
    }

    /// <summary>
    /// True between <see cref="StageCandleRebuildPending"/> and <see cref="StageCandleSettings"/>: a rebuild was cut
    /// short and the stored candles are a partial result that must not be built on.
    /// </summary>
    public bool CandleRebuildPending => Get(CandleRebuildPendingKey) is not null;

    /// <summary>
    /// The lowest seq from which a resume can be answered exactly (docs/storage.md, "meta rows"): 0 until an epoch
    /// restarted the numbering over rows stamped in an earlier one (a cluster node adopting a recreated stream); then
    /// the highest seq those rows can carry. Rows of an old epoch with seqs above a resume point would otherwise read as
    /// "changed after it" and be sent again.
    /// </summary>
    public long ResumeFloor => Volatile.Read(ref _resumeFloor);

    private static ReadOnlySpan<byte> PositionKey => "position"u8;

    private static ReadOnlySpan<byte> ResumeFloorKey => "resume_floor"u8;

    private static ReadOnlySpan<byte> CandleRebuildPendingKey => "candles_rebuild_pending"u8;

    private static ReadOnlySpan<byte> CandleSettingsKey => "candle_settings"u8;

    /// <summary>Meta row written only by <see cref="ProbeWrite"/>: the stamp of the last successful probe.</summary>
    private static ReadOnlySpan<byte> HealthKey => "health"u8;

    /// <summary>
    /// The newest fully processed transaction, or null for an empty store: what is stored, once everything its batch
    /// wrote can be read.
    /// </summary>
    public Checkpoint? ReadCheckpoint()
    {
        _store.ThrowIfDisposed();
        return Volatile.Read(ref _checkpoint)?.Value;
    }

    /// <summary>Stages the checkpoint (whether it advances is the caller's decision).</summary>
    public void StageCheckpoint(StoreWrite write, Checkpoint checkpoint)
    {
        ArgumentNullException.ThrowIfNull(write);
        Span<byte> value = stackalloc byte[Values.CheckpointLength];
        Values.WriteCheckpoint(value, checkpoint);
        write.Put(Keys.Checkpoint, value, _meta);
        _pendingCheckpoint = checkpoint;
    }

    /// <summary>The fingerprint of the settings the stored candles were built with, or null when none was stored.</summary>
    public string? ReadCandleSettings() => Get(CandleSettingsKey) is { } value ? Encoding.UTF8.GetString(value) : null;

    /// <summary>Records the settings fingerprint of a store whose candles need no rebuild (e.g. a new, empty one).</summary>
    public void WriteCandleSettings(string settings)
    {
        ArgumentException.ThrowIfNullOrEmpty(settings);
        using var batch = new WriteBatch();
        batch.Put(CandleSettingsKey, Encoding.UTF8.GetBytes(settings), _meta);
        _store.WriteAlone(batch);
    }

    /// <summary>Stages the rebuild marker: from this write on, the stored candles are incomplete.</summary>
    public void StageCandleRebuildPending(StoreWrite write)
    {
        ArgumentNullException.ThrowIfNull(write);
        write.Put(CandleRebuildPendingKey, [1], _meta);
    }

    /// <summary>Stages the settings the stored candles are built with and removes the rebuild marker: the candles are whole.</summary>
    public void StageCandleSettings(StoreWrite write, string settings)
    {
        ArgumentNullException.ThrowIfNull(write);
        ArgumentException.ThrowIfNullOrEmpty(settings);
        write.Delete(CandleRebuildPendingKey, _meta);
        write.Put(CandleSettingsKey, Encoding.UTF8.GetBytes(settings), _meta);
    }

    /// <summary>
    /// Proves that the store takes writes, not only reads: writes <paramref name="stamp"/> to a row of its own in the
    /// meta family (through the WAL, like every batch) and reads it back. Throws the RocksDB error when the write or
    /// the read fails (disk full, read-only file system, RocksDB stopped writes after a background error), and
    /// <see cref="StoreCorruptedException"/> when the row reads back different. Safe beside the batches: RocksDB
    /// serializes writers and no batch touches this row.
    /// </summary>
    public void ProbeWrite(long stamp)
    {
        _store.EnterReader();
        try
        {
            Span<byte> value = stackalloc byte[8];
            BinaryPrimitives.WriteInt64BigEndian(value, stamp);
            _store.Db.Put(HealthKey, value, _meta, _store.WriteOptions);
            byte[]? back = _store.Db.Get(HealthKey, _meta);
            if (back is null || !value.SequenceEqual(back))
            {
                throw StoreCorruptedException.Row(ColumnFamilyNames.Meta, HealthKey, "the health row did not read back as written");
            }
        }
        finally
        {
            _store.ExitReader();
        }
    }

    /// <summary>The stamp of the last <see cref="ProbeWrite"/>, or null when none was ever written.</summary>
    public long? ReadHealthStamp() => Get(HealthKey) is { Length: 8 } value ? BinaryPrimitives.ReadInt64BigEndian(value) : null;

    internal StoreCounters PendingCounters => _pendingCounters ?? Counters;

    internal void StageCounters(StoreWrite write, StoreCounters counters)
    {
        var value = write.Buffer(Values.CountersLength(counters));
        int length = Values.WriteCounters(value, counters);
        write.Put(Keys.Counters, value[..length], _meta);
        _pendingCounters = counters;
    }

    /// <summary>Stages <see cref="ResumeFloor"/> (raised when a new epoch restarts the numbering over stored rows).</summary>
    public void StageResumeFloor(StoreWrite write, long floor)
    {
        ArgumentNullException.ThrowIfNull(write);
        ArgumentOutOfRangeException.ThrowIfNegative(floor);
        Span<byte> value = stackalloc byte[8];
        BinaryPrimitives.WriteInt64BigEndian(value, floor);
        write.Put(ResumeFloorKey, value, _meta);
        _pendingResumeFloor = floor;
    }

    internal void StagePosition(StoreWrite write)
    {
        write.Put(PositionKey, WritePosition(write.Position), _meta);
        _pendingPosition = write.Position;
    }

    /// <summary>Counters, then the checkpoint and the position, once the write succeeded.</summary>
    internal void Publish()
    {
        if (_pendingCounters is { } counters)
        {
            Volatile.Write(ref _counters, counters);
        }
        if (_pendingCheckpoint is { } checkpoint)
        {
            Volatile.Write(ref _checkpoint, new StrongBox<Checkpoint>(checkpoint));
        }
        if (_pendingResumeFloor is { } floor)
        {
            // Before the position: a reader that sees the new epoch also sees the floor that guards its resumes.
            Volatile.Write(ref _resumeFloor, floor);
        }
        if (_pendingPosition is { } position)
        {
            Volatile.Write(ref _position, new StrongBox<StreamPosition>(position));
        }
        Discard();
    }

    internal void Discard()
    {
        _pendingCounters = null;
        _pendingCheckpoint = null;
        _pendingPosition = null;
        _pendingResumeFloor = null;
    }

    private byte[]? Get(ReadOnlySpan<byte> key)
    {
        _store.EnterReader();
        try
        {
            return _store.Db.Get(key, _meta);
        }
        finally
        {
            _store.ExitReader();
        }
    }

    /// <summary>version ‖ seq u64 ‖ epoch length u8 ‖ epoch (ASCII).</summary>
    private static byte[] WritePosition(StreamPosition position)
    {
        int length = Encoding.ASCII.GetByteCount(position.Epoch);
        if (length > byte.MaxValue || length != position.Epoch.Length)
        {
            throw new ArgumentException($"An epoch is at most 255 ASCII characters, not '{position.Epoch}'.", nameof(position));
        }
        var value = new byte[1 + 8 + 1 + length];
        value[0] = PositionVersion;
        BinaryPrimitives.WriteInt64BigEndian(value.AsSpan(1), position.Seq);
        value[9] = (byte)length;
        Encoding.ASCII.GetBytes(position.Epoch, value.AsSpan(10));
        return value;
    }

    private static StreamPosition ReadPosition(ReadOnlySpan<byte> value)
    {
        if (value.Length < 10 || value[0] != PositionVersion || value.Length != 10 + value[9])
        {
            throw StoreCorruptedException.Row(ColumnFamilyNames.Meta, PositionKey, $"not a version-{PositionVersion} position ({value.Length} bytes)");
        }
        long seq = BinaryPrimitives.ReadInt64BigEndian(value[1..]);
        var epoch = value[10..];
        if (seq < 0 || epoch.IsEmpty || epoch.ContainsAnyExceptInRange((byte)0x21, (byte)0x7E))
        {
            throw StoreCorruptedException.Row(ColumnFamilyNames.Meta, PositionKey, $"seq {seq} or its epoch is not valid");
        }
        return new StreamPosition(Encoding.ASCII.GetString(epoch), seq);
    }
}
