using System.Buffers.Binary;
using RocksDbSharp;
using SpinPet.Core.Chain;
using SpinPet.Core.Ingest;

namespace SpinPet.Storage;

/// <summary>
/// The backfill's listing of the program's history (docs/storage.md, "Backfill listing"): the listed signatures, a
/// page per row of <c>backfill_pages</c>, and the listing's state in the <c>meta</c> row <c>backfill_listing</c>. The
/// backfill pages newest to oldest but applies oldest first, so what it listed waits here instead of in memory, and a
/// failure or a restart resumes the listing, or the applying, where it stopped. Written by the ingest loop only.
/// </summary>
public sealed class BackfillStore
{
    /// <summary>signature 64 ‖ slot u64 ‖ flags u8 (bit 0 failed, bit 1 has a block time) ‖ block time i64.</summary>
    private const int ListedLength = TxSignature.Length + 8 + 1 + 8;

    /// <summary>version ‖ entry count u16.</summary>
    private const int PageHeaderLength = 1 + 2;

    /// <summary>version ‖ flags ‖ until 64 ‖ before 64 ‖ floor slot u64 ‖ pages u32 ‖ signatures u64.</summary>
    private const int ListingLength = 1 + 1 + TxSignature.Length + TxSignature.Length + 8 + 4 + 8;

    private const byte BackfillVersion = 1;

    private readonly SpinPetStore _store;
    private readonly ColumnFamilyHandle _meta;
    private readonly ColumnFamilyHandle _pages;

    internal BackfillStore(SpinPetStore store)
    {
        _store = store;
        _meta = store.Family(ColumnFamilyNames.Meta);
        _pages = store.Family(ColumnFamilyNames.BackfillPages);
    }

    private static ReadOnlySpan<byte> ListingKey => "backfill_listing"u8;

    /// <summary>The listing in progress or being applied, or null when no backfill left one.</summary>
    public BackfillListing? ReadListing()
    {
        _store.EnterReader();
        try
        {
            var value = _store.Db.Get(ListingKey, _meta);
            return value is null ? null : ReadListing(value);
        }
        finally
        {
            _store.ExitReader();
        }
    }

    /// <summary>
    /// Stores <paramref name="listing"/> and, when <paramref name="page"/> has entries, the page under number
    /// <c>listing.Pages − 1</c>, in one atomic batch: the cursor never moves past a page that is not stored.
    /// </summary>
    public void SaveListing(BackfillListing listing, IReadOnlyList<ListedSignature> page)
    {
        ArgumentNullException.ThrowIfNull(listing);
        ArgumentNullException.ThrowIfNull(page);
        if (page.Count > ushort.MaxValue)
        {
            throw new ArgumentOutOfRangeException(nameof(page), page.Count, "A backfill page holds at most 65,535 signatures.");
        }
        if (page.Count > 0 && listing.Pages < 1)
        {
            throw new ArgumentException("A listing that gains a page counts it: Pages must be at least 1.", nameof(listing));
        }
        using var batch = new WriteBatch();
        batch.Put(ListingKey, WriteListing(listing), _meta);
        if (page.Count > 0)
        {
            Span<byte> key = stackalloc byte[4];
            BinaryPrimitives.WriteUInt32BigEndian(key, (uint)(listing.Pages - 1));
            batch.Put(key, WritePage(page), _pages);
        }
        _store.WriteAlone(batch);
    }

    /// <summary>The stored page with the highest number — the oldest signatures — or null when none is left.</summary>
    public BackfillPage? ReadOldestPage()
    {
        _store.EnterReader();
        try
        {
            using var iterator = _store.Db.NewIterator(_pages);
            iterator.SeekToLast();
            if (!iterator.Valid())
            {
                // Not valid also on an I/O error or corruption, which must not look like "no page left".
                Native.Instance.rocksdb_iter_get_error(iterator.Handle);
                return null;
            }
            var key = iterator.GetKeySpan();
            if (key.Length != 4)
            {
                throw StoreCorruptedException.Row(ColumnFamilyNames.BackfillPages, key, $"a page key is 4 bytes, not {key.Length}");
            }
            return new BackfillPage((int)BinaryPrimitives.ReadUInt32BigEndian(key), ReadPage(key, iterator.GetValueSpan()));
        }
        finally
        {
            _store.ExitReader();
        }
    }

    /// <summary>Removes an applied page.</summary>
    public void DeletePage(int number)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(number);
        using var batch = new WriteBatch();
        Span<byte> key = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(key, (uint)number);
        batch.Delete(key, _pages);
        _store.WriteAlone(batch);
    }

    /// <summary>Removes the listing and any page left, in one batch (one range deletion, whatever the count).</summary>
    public void DeleteListing()
    {
        using var batch = new WriteBatch();
        batch.Delete(ListingKey, _meta);
        byte[] start = [0, 0, 0, 0];
        byte[] end = [0xFF, 0xFF, 0xFF, 0xFF, 0x00];
        batch.DeleteRange(start, (ulong)start.Length, end, (ulong)end.Length, _pages);
        _store.WriteAlone(batch);
    }

    private static byte[] WritePage(IReadOnlyList<ListedSignature> page)
    {
        var value = new byte[PageHeaderLength + (page.Count * ListedLength)];
        value[0] = BackfillVersion;
        BinaryPrimitives.WriteUInt16BigEndian(value.AsSpan(1), (ushort)page.Count);
        var entries = value.AsSpan(PageHeaderLength);
        for (int i = 0; i < page.Count; i++)
        {
            var entry = page[i];
            var row = entries.Slice(i * ListedLength, ListedLength);
            entry.Signature.CopyTo(row);
            BinaryPrimitives.WriteUInt64BigEndian(row[TxSignature.Length..], entry.Slot);
            row[TxSignature.Length + 8] = (byte)((entry.Failed ? 1 : 0) | (entry.BlockTime is null ? 0 : 2));
            BinaryPrimitives.WriteInt64BigEndian(row[(TxSignature.Length + 9)..], entry.BlockTime ?? 0);
        }
        return value;
    }

    private static ListedSignature[] ReadPage(ReadOnlySpan<byte> key, ReadOnlySpan<byte> value)
    {
        const string family = ColumnFamilyNames.BackfillPages;
        if (value.Length < PageHeaderLength || value[0] != BackfillVersion)
        {
            throw StoreCorruptedException.Row(family, key, $"not a version-{BackfillVersion} page ({value.Length} bytes)");
        }
        int count = BinaryPrimitives.ReadUInt16BigEndian(value[1..]);
        if (value.Length != PageHeaderLength + (count * ListedLength))
        {
            throw StoreCorruptedException.Row(family, key, $"{count} entries take {PageHeaderLength + (count * ListedLength)} bytes, not {value.Length}");
        }
        var page = new ListedSignature[count];
        for (int i = 0; i < count; i++)
        {
            var row = value.Slice(PageHeaderLength + (i * ListedLength), ListedLength);
            byte flags = row[TxSignature.Length + 8];
            if (flags > 3)
            {
                throw StoreCorruptedException.Row(family, key, $"entry {i} has unknown flags {flags}");
            }
            page[i] = new ListedSignature(
                new TxSignature(row[..TxSignature.Length]),
                BinaryPrimitives.ReadUInt64BigEndian(row[TxSignature.Length..]),
                (flags & 1) != 0,
                (flags & 2) != 0 ? BinaryPrimitives.ReadInt64BigEndian(row[(TxSignature.Length + 9)..]) : null);
        }
        return page;
    }

    private static byte[] WriteListing(BackfillListing listing)
    {
        var value = new byte[ListingLength];
        value[0] = BackfillVersion;
        value[1] = (byte)((listing.Complete ? 1 : 0) | (listing.Until is null ? 0 : 2) | (listing.Before is null ? 0 : 4));
        listing.Until?.CopyTo(value.AsSpan(2));
        listing.Before?.CopyTo(value.AsSpan(2 + TxSignature.Length));
        int at = 2 + (2 * TxSignature.Length);
        BinaryPrimitives.WriteUInt64BigEndian(value.AsSpan(at), listing.FloorSlot);
        BinaryPrimitives.WriteUInt32BigEndian(value.AsSpan(at + 8), (uint)listing.Pages);
        BinaryPrimitives.WriteInt64BigEndian(value.AsSpan(at + 12), listing.Signatures);
        return value;
    }

    private static BackfillListing ReadListing(ReadOnlySpan<byte> value)
    {
        if (value.Length != ListingLength || value[0] != BackfillVersion || value[1] > 7)
        {
            throw StoreCorruptedException.Row(ColumnFamilyNames.Meta, ListingKey, $"not a version-{BackfillVersion} backfill listing ({value.Length} bytes)");
        }
        byte flags = value[1];
        int at = 2 + (2 * TxSignature.Length);
        uint pages = BinaryPrimitives.ReadUInt32BigEndian(value[(at + 8)..]);
        long signatures = BinaryPrimitives.ReadInt64BigEndian(value[(at + 12)..]);
        if (pages > int.MaxValue || signatures < 0)
        {
            throw StoreCorruptedException.Row(ColumnFamilyNames.Meta, ListingKey, $"{pages} pages and {signatures} signatures");
        }
        return new BackfillListing(
            (flags & 2) != 0 ? new TxSignature(value.Slice(2, TxSignature.Length)) : null,
            BinaryPrimitives.ReadUInt64BigEndian(value[at..]),
            (flags & 4) != 0 ? new TxSignature(value.Slice(2 + TxSignature.Length, TxSignature.Length)) : null,
            (int)pages,
            signatures,
            (flags & 1) != 0);
    }
}
