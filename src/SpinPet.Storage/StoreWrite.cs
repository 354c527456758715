using RocksDbSharp;
using SpinPet.Core.Stream;

namespace SpinPet.Storage;

/// <summary>
/// The unit of work of one applied batch: the caller asks the event log which transactions are new and stages their
/// rows, stages its candle and index rows through the other groups, then commits once. Everything staged, and the
/// batch's <see cref="Position"/>, goes into one RocksDB <see cref="WriteBatch"/>: after a crash all of it is there
/// or none of it. The in-memory views (counters, candle counts, mints, checkpoint, position) change only after the
/// write succeeded; disposing without <see cref="Commit"/> (a throw while staging) writes and publishes nothing.
/// </summary>
/// <remarks>
/// Hot path: the store keeps one instance and reuses its batch and buffer; keys are built on the stack and handed to
/// RocksDB as spans. A batch over 16 MiB is released after use rather than kept, so one backfill burst does not pin
/// its peak memory for the life of the process.
/// </remarks>
public sealed class StoreWrite : IDisposable
{
    /// <summary>Above this the batch's native buffer (and ours) is released rather than kept for the next write.</summary>
    private const int RetainedBytes = 16 << 20;

    private readonly SpinPetStore _store;
    private WriteBatch _batch = new();
    private byte[] _buffer = new byte[4096];
    private long _stagedBytes;
    private bool _open;
    private bool _committed;

    internal StoreWrite(SpinPetStore store) => _store = store;

    /// <summary>The position this write records (the applied batch's, or the one a rebuild writes at).</summary>
    public StreamPosition Position { get; private set; }

    /// <summary>
    /// Writes everything staged and the position in one atomic batch, then publishes the in-memory views, the
    /// checkpoint and the position last: whoever sees them move finds everything the batch stored.
    /// </summary>
    public void Commit()
    {
        ThrowIfClosed();
        if (_committed)
        {
            throw new InvalidOperationException("This write is committed already.");
        }
        _store.Meta.StagePosition(this);
        _store.Db.Write(_batch, _store.WriteOptions);
        _committed = true;
        _store.Candles.Publish();
        _store.Indexes.Publish();
        _store.Meta.Publish();
    }

    /// <summary>Ends the write; what a write that was not committed staged is discarded.</summary>
    public void Dispose()
    {
        if (!_open)
        {
            return;
        }
        _open = false;
        if (!_committed)
        {
            Discard();
        }
        _store.EndWrite();
    }

    internal void Begin(StreamPosition position)
    {
        Position = position;
        _committed = false;
        _open = true;
        Discard();
        // RocksDB keeps a cleared batch's capacity; after an unusually large write, start over with a fresh one.
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

    internal void Put(ReadOnlySpan<byte> key, ReadOnlySpan<byte> value, ColumnFamilyHandle family)
    {
        ThrowIfClosed();
        _batch.Put(key, value, family);
        _stagedBytes += key.Length + value.Length;
    }

    internal void Delete(ReadOnlySpan<byte> key, ColumnFamilyHandle family)
    {
        ThrowIfClosed();
        _batch.Delete(key, family);
        _stagedBytes += key.Length;
    }

    /// <summary>Removes every key of <paramref name="family"/> that sorts before a key of <paramref name="longerThanEveryKey"/> bytes of FF.</summary>
    internal void DeleteAll(ColumnFamilyHandle family, int longerThanEveryKey)
    {
        ThrowIfClosed();
        byte[] start = [0];
        var end = new byte[longerThanEveryKey];
        Array.Fill(end, (byte)0xFF);
        _batch.DeleteRange(start, (ulong)start.Length, end, (ulong)end.Length, family);
    }

    /// <summary>A scratch buffer for one value, valid until the next call.</summary>
    internal Span<byte> Buffer(int length)
    {
        if (_buffer.Length < length)
        {
            _buffer = new byte[Math.Max(length, _buffer.Length * 2)];
        }
        return _buffer.AsSpan(0, length);
    }

    internal void ThrowIfClosed()
    {
        if (!_open)
        {
            throw new InvalidOperationException("This write has ended; begin a new one with SpinPetStore.BeginWrite.");
        }
    }

    internal void Release() => _batch.Dispose();

    private void Discard()
    {
        _store.Events.Discard();
        _store.Candles.Discard();
        _store.Indexes.Discard();
        _store.Meta.Discard();
    }
}
