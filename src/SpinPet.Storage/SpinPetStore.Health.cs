using System.Buffers.Binary;

namespace SpinPet.Storage;

public sealed partial class SpinPetStore
{
    /// <summary>Meta row written only by <see cref="ProbeWrite"/>: the stamp of the last successful probe.</summary>
    private static ReadOnlySpan<byte> HealthKey => "health"u8;

    /// <summary>
    /// Proves that the store takes writes, not only reads: writes <paramref name="stamp"/> to a row of its own in the
    /// meta family (through the WAL, like every batch) and reads it back. Throws the RocksDB error when the write or
    /// the read fails (disk full, read-only file system, RocksDB stopped writes after a background error), and
    /// <see cref="StoreCorruptedException"/> when the row reads back different. Safe beside the ingest's writes:
    /// RocksDB serializes writers and no batch touches this row.
    /// </summary>
    public void ProbeWrite(long stamp)
    {
        EnterReader();
        try
        {
            Span<byte> value = stackalloc byte[8];
            BinaryPrimitives.WriteInt64BigEndian(value, stamp);
            _db.Put(HealthKey, value, _meta, _writeOptions);
            byte[]? back = _db.Get(HealthKey, _meta);
            if (back is null || !value.SequenceEqual(back))
            {
                throw StoreCorruptedException.Row(ColumnFamilyNames.Meta, HealthKey, "the health row did not read back as written");
            }
        }
        finally
        {
            ExitReader();
        }
    }

    /// <summary>The stamp of the last <see cref="ProbeWrite"/>, or null when none was ever written.</summary>
    public long? ReadHealthStamp()
    {
        EnterReader();
        try
        {
            byte[]? value = _db.Get(HealthKey, _meta);
            return value is { Length: 8 } ? BinaryPrimitives.ReadInt64BigEndian(value) : null;
        }
        finally
        {
            ExitReader();
        }
    }
}
