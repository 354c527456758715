using RocksDbSharp;
using SpinPet.Core.Chain;
using SpinPet.Core.Indexing;

namespace SpinPet.Storage;

/// <summary>
/// Reads of the derived rows behind the REST API (events by mint and by user, mints, open orders); their rebuild is in
/// SpinPetStore.Rebuild.cs. Every list is one bounded range of one family, walked from a keyset cursor: the cost of a page
/// does not grow with the size of the database. Layouts: docs/storage.md, "Derived rows".
/// </summary>
public sealed partial class SpinPetStore
{
    /// <summary>
    /// A filtered list (a user's events or orders in one mint) stops after visiting this many index rows and hands out
    /// a cursor where it stopped, so one request never walks an unbounded range (~100 k rows of ~80 bytes ≈ 10 ms).
    /// </summary>
    internal const int MaxScannedRows = 100_000;

    private long _indexKeysRead;
    private long _indexItemsRead;

    /// <summary>
    /// Index keys visited by the list reads since open (rows skipped for <c>skip</c>, the page's rows, the look-ahead).
    /// Tests use it with <see cref="IndexItemsRead"/> to show what a page costs whatever the size of the database.
    /// </summary>
    internal long IndexKeysRead => Interlocked.Read(ref _indexKeysRead);

    /// <summary>
    /// Rows the list reads fetched behind their index keys since open: the event, order or mint row of each item
    /// returned. A skipped row costs an iterator step, not one of these.
    /// </summary>
    internal long IndexItemsRead => Interlocked.Read(ref _indexItemsRead);

    /// <summary>Mints with at least one stored event.</summary>
    public int MintCount => _derived.MintCount;

    /// <summary>What the store knows about a mint (an in-memory lookup), or null when it has no events.</summary>
    public MintDetails? GetMint(PublicKey mint) => _derived.GetMint(mint);

    /// <summary>The event stored at <paramref name="position"/>, or null.</summary>
    public StoredEvent? GetEvent(ChainPosition position)
    {
        EnterReader();
        try
        {
            return ReadEventAt(position);
        }
        finally
        {
            ExitReader();
        }
    }

    /// <summary>An open margin order, or null when it is unknown or closed.</summary>
    public OpenOrder? GetOrder(PublicKey orderPda)
    {
        EnterReader();
        try
        {
            var value = _db.Get(orderPda.AsSpan(), _db.GetColumnFamily(ColumnFamilyNames.Orders));
            return value is null ? null : IndexValues.ReadOrder(orderPda.AsSpan(), value);
        }
        finally
        {
            ExitReader();
        }
    }

    /// <summary>
    /// A mint's events in chain order (oldest or newest first), after the cursor <paramref name="after"/> (a page's
    /// <see cref="IndexPage{T}.Next"/>), skipping <paramref name="skip"/> first.
    /// </summary>
    public IndexPage<StoredEvent> ReadMintEvents(PublicKey mint, bool newestFirst, byte[]? after, int skip, int limit) =>
        ScanIndex(ColumnFamilyNames.MintEvents, mint.AsSpan(), IndexKeys.OwnerPositionLength, after, newestFirst, skip, limit,
            filter: null, (key, _) => EventOfIndexRow(ColumnFamilyNames.MintEvents, key));

    /// <summary>
    /// A user's events (docs/storage.md, "user_events", says which events belong to whom), optionally of one mint, in
    /// chain order. A mint filter visits at most <see cref="MaxScannedRows"/> rows per page: a page can then be short
    /// while <see cref="IndexPage{T}.HasMore"/> is true.
    /// </summary>
    public IndexPage<StoredEvent> ReadUserEvents(PublicKey user, PublicKey? mint, bool newestFirst, byte[]? after, int skip, int limit) =>
        ScanIndex(ColumnFamilyNames.UserEvents, user.AsSpan(), IndexKeys.OwnerPositionLength, after, newestFirst, skip, limit,
            mint is { } wanted ? (key, value) => IndexValues.ReadUserEventMint(key, value) == wanted : null,
            (key, _) => EventOfIndexRow(ColumnFamilyNames.UserEvents, key));

    /// <summary>
    /// How many events <see cref="ReadUserEvents"/> lists for the user (in one mint when given): one point lookup of a
    /// count kept in the same batch as the index rows.
    /// </summary>
    public ulong CountUserEvents(PublicKey user, PublicKey? mint)
    {
        EnterReader();
        try
        {
            return DerivedRowsWriter.ReadCount(_db, _db.GetColumnFamily(ColumnFamilyNames.UserEventCounts), user, mint);
        }
        finally
        {
            ExitReader();
        }
    }

    /// <summary>
    /// Mints by first appearance (oldest or newest first: one range of <c>mints_by_first</c>) or by latest activity
    /// (newest first). Activity changes with nearly every batch, so it has no index on disk (that would cost a delete
    /// and a put per touched mint per batch on the ingest path): the page is picked from the in-memory mint rows with a
    /// bounded heap, O(mints × log(skip + limit)), ~2 ms for 100,000 mints. The cursor has the same form either way.
    /// </summary>
    public IndexPage<MintDetails> ReadMints(MintOrder order, byte[]? after, int skip, int limit)
    {
        if (order == MintOrder.ActivityNewestFirst)
        {
            return ReadMintsByActivity(after, skip, limit);
        }
        const string family = ColumnFamilyNames.MintsByFirst;
        return ScanIndex(family, [], IndexKeys.PositionMintLength, after, order != MintOrder.FirstSeenOldestFirst, skip, limit,
            filter: null, (key, _) =>
            {
                // Index rows and mint rows are written in the same batch, but the in-memory row is published just
                // after the write: a read in between finds the new mint only in RocksDB.
                var mint = IndexKeys.ReadPositionMint(family, key);
                Interlocked.Increment(ref _indexItemsRead);
                return _derived.GetMint(mint) ?? ReadMintRow(mint)
                    ?? throw StoreCorruptedException.Row(family, key, "the mint has no mints row");
            });
    }

    private IndexPage<MintDetails> ReadMintsByActivity(byte[]? after, int skip, int limit)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(skip);
        ArgumentOutOfRangeException.ThrowIfNegative(limit);
        if (after is not null && after.Length != IndexKeys.PositionMintLength)
        {
            throw new ArgumentException($"A cursor of this list is {IndexKeys.PositionMintLength} bytes, not {after.Length}.", nameof(after));
        }
        ChainPosition? before = after is null ? null : Keys.ReadPosition(ColumnFamilyNames.Mints, after.AsSpan(0, Keys.PositionLength));
        // The newest skip + limit + 1 (one more answers has_more) older than the cursor: a min-heap keeps the newest.
        int wanted = skip + limit + 1;
        var newest = new PriorityQueue<MintDetails, ChainPosition>(Math.Min(wanted, 1 << 16) + 1);
        foreach (var mint in _derived.Mints)
        {
            if (before is { } bound && mint.LatestPosition >= bound)
            {
                continue;
            }
            newest.Enqueue(mint, mint.LatestPosition);
            if (newest.Count > wanted)
            {
                newest.Dequeue();
            }
        }
        var descending = new MintDetails[newest.Count];
        for (int i = descending.Length - 1; i >= 0; i--)
        {
            descending[i] = newest.Dequeue();
        }
        var items = descending.Skip(skip).Take(limit).ToList();
        bool hasMore = descending.Length > skip + limit;
        byte[]? next = null;
        if (hasMore)
        {
            next = new byte[IndexKeys.PositionMintLength];
            IndexKeys.WritePositionMint(next, items[^1].LatestPosition, items[^1].Mint);
        }
        return new IndexPage<MintDetails>(items, hasMore, next);
    }

    /// <summary>A mint's open orders of one type by <c>lock_lp_start_price</c>, ascending or descending.</summary>
    public IndexPage<OpenOrder> ReadMintOrders(PublicKey mint, byte orderType, bool descending, byte[]? after, int skip, int limit)
    {
        Span<byte> prefix = stackalloc byte[IndexKeys.MintOrderPrefixLength];
        mint.CopyTo(prefix);
        prefix[PublicKey.Length] = orderType;
        return ScanIndex(ColumnFamilyNames.MintOrders, prefix, IndexKeys.MintOrderLength, after, descending, skip, limit,
            filter: null, (key, _) => OrderOfIndexRow(ColumnFamilyNames.MintOrders, key, IndexKeys.MintOrderLength));
    }

    /// <summary>A user's open orders by <c>start_time</c>, optionally of one mint (bounded like <see cref="ReadUserEvents"/>).</summary>
    public IndexPage<OpenOrder> ReadUserOrders(PublicKey user, PublicKey? mint, bool newestFirst, byte[]? after, int skip, int limit) =>
        ScanIndex(ColumnFamilyNames.UserOrders, user.AsSpan(), IndexKeys.UserOrderLength, after, newestFirst, skip, limit,
            mint is { } wanted ? (key, value) => IndexValues.ReadUserOrderMint(key, value) == wanted : null,
            (key, _) => OrderOfIndexRow(ColumnFamilyNames.UserOrders, key, IndexKeys.UserOrderLength));

    /// <summary>How many open orders the user has (of one mint when given), counting at most <see cref="MaxScannedRows"/> rows.</summary>
    public int CountUserOrders(PublicKey user, PublicKey? mint)
    {
        var page = ScanIndex(ColumnFamilyNames.UserOrders, user.AsSpan(), IndexKeys.UserOrderLength, null, false, 0, MaxScannedRows,
            mint is { } wanted ? (key, value) => IndexValues.ReadUserOrderMint(key, value) == wanted : null,
            static (_, _) => true);
        return page.Items.Count;
    }

    private MintDetails? ReadMintRow(PublicKey mint)
    {
        var value = _db.Get(mint.AsSpan(), _db.GetColumnFamily(ColumnFamilyNames.Mints));
        return value is null ? null : IndexValues.ReadMint(mint.AsSpan(), value);
    }

    private StoredEvent EventOfIndexRow(string family, ReadOnlySpan<byte> key)
    {
        var position = IndexKeys.ReadOwnerPosition(family, key);
        Interlocked.Increment(ref _indexItemsRead);
        // Index rows are written in the same batches as their events, and events are never deleted.
        return ReadEventAt(position) ?? throw StoreCorruptedException.Row(family, key, "the indexed event is not stored");
    }

    private OpenOrder OrderOfIndexRow(string family, ReadOnlySpan<byte> key, int length)
    {
        var pda = IndexKeys.ReadOrderPda(family, key, length);
        Interlocked.Increment(ref _indexItemsRead);
        var value = _db.Get(pda.AsSpan(), _db.GetColumnFamily(ColumnFamilyNames.Orders))
            ?? throw StoreCorruptedException.Row(family, key, "the indexed order has no orders row");
        return IndexValues.ReadOrder(pda.AsSpan(), value);
    }

    private StoredEvent? ReadEventAt(ChainPosition position)
    {
        Span<byte> key = stackalloc byte[Keys.PositionLength];
        Keys.WritePosition(key, position);
        var value = _db.Get(key, _events);
        return value is null ? null : Values.ReadEvent(key, value);
    }

    /// <summary>
    /// One page of an index: the rows of <paramref name="prefix"/> after the cursor (exclusive, in the direction of
    /// travel) that pass <paramref name="filter"/> (all when null), the first <paramref name="skip"/> of them skipped,
    /// at most <paramref name="limit"/> read with <paramref name="read"/>, and one look-ahead for
    /// <see cref="IndexPage{T}.HasMore"/>. A skipped row costs an iterator step and the filter, never a read of the
    /// row behind it. Bounds confine the iterator to the prefix; at most <see cref="MaxScannedRows"/> rows are visited
    /// beyond the skipped ones.
    /// </summary>
    private IndexPage<T> ScanIndex<T>(string familyName, ReadOnlySpan<byte> prefix, int keyLength, byte[]? after, bool descending,
        int skip, int limit, RowFilter? filter, RowReader<T> read)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(skip);
        ArgumentOutOfRangeException.ThrowIfNegative(limit);
        if (after is not null && after.Length != keyLength - prefix.Length)
        {
            throw new ArgumentException($"A cursor of this list is {keyLength - prefix.Length} bytes, not {after.Length}.", nameof(after));
        }
        EnterReader();
        try
        {
            var options = new ReadOptions();
            byte[]? upper = prefix.IsEmpty ? null : Successor(prefix);
            if (!prefix.IsEmpty)
            {
                options.SetIterateLowerBound(prefix.ToArray());
            }
            if (upper is not null)
            {
                options.SetIterateUpperBound(upper);
            }
            using var iterator = _db.NewIterator(_db.GetColumnFamily(familyName), options);
            var start = new byte[keyLength];
            prefix.CopyTo(start);
            if (after is not null)
            {
                after.CopyTo(start, prefix.Length);
            }
            else if (descending)
            {
                start.AsSpan(prefix.Length).Fill(0xFF);
            }
            if (descending)
            {
                iterator.SeekForPrev(start);
            }
            else
            {
                iterator.Seek(start);
            }
            if (after is not null && iterator.Valid() && iterator.GetKeySpan().SequenceEqual(start))
            {
                Step(iterator, descending);
            }

            var items = new List<T>(Math.Min(limit, 1024));
            // The key suffix of the last row visited, copied into one buffer rather than allocated per row.
            var last = new byte[keyLength - prefix.Length];
            bool hasMore = false;
            long budget = (long)MaxScannedRows + skip;
            long visited = 0;
            while (iterator.Valid())
            {
                var key = iterator.GetKeySpan();
                if (++visited > budget)
                {
                    // Stopped early: the next page resumes after the last row visited.
                    hasMore = true;
                    break;
                }
                if (filter is null || filter(key, iterator.GetValueSpan()))
                {
                    if (items.Count == limit)
                    {
                        hasMore = true;
                        break;
                    }
                    if (skip > 0)
                    {
                        skip--;
                    }
                    else
                    {
                        items.Add(read(key, iterator.GetValueSpan()));
                    }
                }
                key[prefix.Length..].CopyTo(last);
                Step(iterator, descending);
            }
            if (!hasMore)
            {
                Native.Instance.rocksdb_iter_get_error(iterator.Handle);
            }
            Interlocked.Add(ref _indexKeysRead, visited);
            return new IndexPage<T>(items, hasMore, hasMore ? last : null);
        }
        finally
        {
            ExitReader();
        }
    }

    private static void Step(Iterator iterator, bool descending)
    {
        if (descending)
        {
            iterator.Prev();
        }
        else
        {
            iterator.Next();
        }
    }

    /// <summary>The smallest key above every key starting with <paramref name="prefix"/>; null when the prefix is all FF.</summary>
    private static byte[]? Successor(ReadOnlySpan<byte> prefix)
    {
        var bytes = prefix.ToArray();
        for (int i = bytes.Length - 1; i >= 0; i--)
        {
            if (bytes[i] != 0xFF)
            {
                bytes[i]++;
                return bytes.AsSpan(0, i + 1).ToArray();
            }
        }
        return null;
    }

    /// <summary>Whether an index row belongs to the list (e.g. a user's rows of one mint), from the index row alone.</summary>
    private delegate bool RowFilter(ReadOnlySpan<byte> key, ReadOnlySpan<byte> value);
}

/// <summary>The orders of <see cref="SpinPetStore.ReadMints"/>.</summary>
public enum MintOrder
{
    FirstSeenNewestFirst,
    FirstSeenOldestFirst,
    ActivityNewestFirst,
}
