using System.Buffers.Binary;
using System.Text;
using RocksDbSharp;

namespace SpinPet.Storage;

/// <summary>
/// What makes a candle rebuild safe to interrupt and repeatable (docs/storage.md, "Candle rebuild"): the pending
/// marker written with the deletion of the old candles and removed with the last batch of new ones, the fingerprint
/// of the settings the stored candles were built with, and the late-event markers a rebuild honours.
/// </summary>
public sealed partial class SpinPetStore
{
    /// <summary>Late-event key: the event's position ‖ the interval's length in seconds (u32), both big-endian.</summary>
    private const int LateEventKeyLength = Keys.PositionLength + 4;

    private static ReadOnlySpan<byte> CandleRebuildPendingKey => "candles_rebuild_pending"u8;

    private static ReadOnlySpan<byte> CandleSettingsKey => "candle_settings"u8;

    /// <summary>
    /// True between <see cref="BeginCandleRebuild"/> and <see cref="CompleteCandleRebuild"/>: a rebuild was cut short
    /// and the stored candles are a partial result that must not be built on.
    /// </summary>
    public bool CandleRebuildPending
    {
        get
        {
            EnterReader();
            try
            {
                return _db.Get(CandleRebuildPendingKey, _meta) is not null;
            }
            finally
            {
                ExitReader();
            }
        }
    }

    /// <summary>The fingerprint of the settings the stored candles were built with, or null when none was stored.</summary>
    public string? ReadCandleSettings()
    {
        EnterReader();
        try
        {
            return _db.Get(CandleSettingsKey, _meta) is { } value ? Encoding.UTF8.GetString(value) : null;
        }
        finally
        {
            ExitReader();
        }
    }

    /// <summary>Records the settings fingerprint of a store whose candles need no rebuild (e.g. a new, empty one).</summary>
    public void WriteCandleSettings(string settings)
    {
        ArgumentException.ThrowIfNullOrEmpty(settings);
        lock (_writeLock)
        {
            ObjectDisposedException.ThrowIf(_disposed != 0, this);
            _db.Put(CandleSettingsKey, Encoding.UTF8.GetBytes(settings), _meta, _writeOptions);
        }
    }

    /// <summary>
    /// Starts a candle rebuild: removes every candle and topic counter and sets the pending marker, in one atomic
    /// batch. Until <see cref="CompleteCandleRebuild"/> the marker says the stored candles are incomplete.
    /// </summary>
    public void BeginCandleRebuild()
    {
        lock (_writeLock)
        {
            ObjectDisposedException.ThrowIf(_disposed != 0, this);
            using var batch = new WriteBatch();
            _candleWriter.StageDeleteAll(batch);
            batch.Put(CandleRebuildPendingKey, [1], _meta);
            _db.Write(batch, _writeOptions);
            _candleWriter.Publish();
        }
    }

    /// <summary>
    /// Ends a candle rebuild: the last candle rows, the removal of the pending marker and the settings fingerprint, in
    /// one atomic batch (earlier rows go through <see cref="WriteCandles"/>).
    /// </summary>
    public void CompleteCandleRebuild(IReadOnlyList<CandleWrite> candles, string settings)
    {
        ArgumentNullException.ThrowIfNull(candles);
        ArgumentException.ThrowIfNullOrEmpty(settings);
        lock (_writeLock)
        {
            ObjectDisposedException.ThrowIf(_disposed != 0, this);
            _candleWriter.Reset();
            using var batch = new WriteBatch();
            _candleWriter.Stage(batch, candles);
            batch.Delete(CandleRebuildPendingKey.ToArray(), _meta);
            batch.Put(CandleSettingsKey, Encoding.UTF8.GetBytes(settings), _meta);
            _db.Write(batch, _writeOptions);
            _candleWriter.Publish();
        }
    }

    /// <summary>Every late-event marker, in chain order (then interval length): a handful, read once per rebuild.</summary>
    public IEnumerable<LateCandleEvent> ReadLateCandleEvents()
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        return ScanLateCandleEvents();
    }

    private IEnumerable<LateCandleEvent> ScanLateCandleEvents()
    {
        EnterReader();
        try
        {
            using var iterator = _db.NewIterator(_candleLateEvents);
            for (iterator.SeekToFirst(); iterator.Valid(); iterator.Next())
            {
                var key = iterator.GetKeySpan();
                if (key.Length != LateEventKeyLength)
                {
                    throw StoreCorruptedException.Row(ColumnFamilyNames.CandleLateEvents, key, $"a late-event key is {LateEventKeyLength} bytes, not {key.Length}");
                }
                var position = Keys.ReadPosition(ColumnFamilyNames.CandleLateEvents, key[..Keys.PositionLength]);
                yield return new LateCandleEvent(position, BinaryPrimitives.ReadUInt32BigEndian(key[Keys.PositionLength..]));
            }
            Native.Instance.rocksdb_iter_get_error(iterator.Handle);
        }
        finally
        {
            ExitReader();
        }
    }

    private void StageLateCandleEvents(WriteBatch batch, IReadOnlyList<LateCandleEvent> late)
    {
        Span<byte> key = stackalloc byte[LateEventKeyLength];
        for (int i = 0; i < late.Count; i++)
        {
            if (late[i].IntervalSeconds is <= 0 or > uint.MaxValue)
            {
                throw new ArgumentException($"A late event's interval of {late[i].IntervalSeconds} s cannot be stored.", nameof(late));
            }
            Keys.WritePosition(key, late[i].Position);
            BinaryPrimitives.WriteUInt32BigEndian(key[Keys.PositionLength..], (uint)late[i].IntervalSeconds);
            batch.Put(key, [], _candleLateEvents);
        }
    }
}
