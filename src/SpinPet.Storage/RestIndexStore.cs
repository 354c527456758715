using System.Collections.Concurrent;
using RocksDbSharp;
using SpinPet.Core.Chain;
using SpinPet.Core.Events;
using SpinPet.Core.Indexing;

namespace SpinPet.Storage;

/// <summary>
/// The rows behind the REST API (docs/storage.md, "Derived rows"): events by mint and by user, mints with their first
/// and latest positions and totals, open margin orders with their per-mint and per-user indexes, and users' event
/// counts. The indexer computes them (Core's folds) and stages them here; this type encodes, decodes and lists them.
/// Every list is one bounded range of one family, walked from a keyset cursor. The mint rows are also kept in memory
/// (loaded at open, ~190 bytes per mint): /api/details and the activity order are lookups, and a staged row is
/// published only after its write succeeded.
/// </summary>
public sealed class RestIndexStore
{
    private readonly SpinPetStore _store;
    private readonly ColumnFamilyHandle _mintEvents;
    private readonly ColumnFamilyHandle _userEvents;
    private readonly ColumnFamilyHandle _mints;
    private readonly ColumnFamilyHandle _mintsByFirst;
    private readonly ColumnFamilyHandle _orders;
    private readonly ColumnFamilyHandle _userOrders;
    private readonly ColumnFamilyHandle _userEventCounts;
    private readonly ColumnFamilyHandle _mintEventSeqs;
    private readonly ColumnFamilyHandle _meta;
    private readonly ConcurrentDictionary<PublicKey, MintDetails> _committed = new();
    private readonly List<MintDetails> _pendingMints = [];
    private readonly IndexRowsStager _stager;
    private bool _pendingClear;
    private bool _completeStaged;
    private long _indexKeysRead;
    private long _indexItemsRead;

    internal RestIndexStore(SpinPetStore store)
    {
        _store = store;
        _mintEvents = store.Family(ColumnFamilyNames.MintEvents);
        _userEvents = store.Family(ColumnFamilyNames.UserEvents);
        _mints = store.Family(ColumnFamilyNames.Mints);
        _mintsByFirst = store.Family(ColumnFamilyNames.MintsByFirst);
        _orders = store.Family(ColumnFamilyNames.Orders);
        _userOrders = store.Family(ColumnFamilyNames.UserOrders);
        _userEventCounts = store.Family(ColumnFamilyNames.UserEventCounts);
        _mintEventSeqs = store.Family(ColumnFamilyNames.MintEventSeqs);
        _meta = store.Family(ColumnFamilyNames.Meta);
        _stager = new IndexRowsStager(store.Family);
        using (var iterator = store.Db.NewIterator(_mints))
        {
            for (iterator.SeekToFirst(); iterator.Valid(); iterator.Next())
            {
                var mint = IndexValues.ReadMint(iterator.GetKeySpan(), iterator.GetValueSpan());
                _committed[mint.Mint] = mint;
            }
            Native.Instance.rocksdb_iter_get_error(iterator.Handle);
        }
        NeedsRebuild = CheckMarker();
    }

    /// <summary>
    /// True when the database has events but not every index row of this version (written by a version without them,
    /// or without some of them: its <c>derived_rows</c> marker is older than this version's): the indexer rebuilds them
    /// from the event log before anything is applied.
    /// </summary>
    public bool NeedsRebuild { get; private set; }

    /// <summary>Mints with at least one stored event.</summary>
    public int MintCount => _committed.Count;

    /// <summary>Index keys visited by the list reads since open (rows skipped for <c>skip</c>, the page's rows, the look-ahead).</summary>
    internal long IndexKeysRead => Interlocked.Read(ref _indexKeysRead);

    /// <summary>Rows the list reads fetched behind their index keys since open: the event, order or mint row of each item returned.</summary>
    internal long IndexItemsRead => Interlocked.Read(ref _indexItemsRead);

    /// <summary>A snapshot of every published mint row (ConcurrentDictionary copies the values: safe while a write publishes).</summary>
    internal ICollection<MintDetails> Mints => _committed.Values;

    /// <summary>What the store knows about a mint (an in-memory lookup), or null when it has no events.</summary>
    public MintDetails? GetMint(PublicKey mint) => _committed.TryGetValue(mint, out var details) ? details : null;

    /// <summary>An open margin order, or null when it is unknown or closed.</summary>
    public OpenOrder? GetOrder(PublicKey orderPda) => _store.ReadRow(orderPda.AsSpan(), _orders, IndexValues.ReadOrder);

    /// <summary>How many events <see cref="ReadUserEvents"/> lists for the user (in one mint when given): one point lookup.</summary>
    public ulong CountUserEvents(PublicKey user, PublicKey? mint)
    {
        _store.EnterReader();
        try
        {
            Span<byte> key = stackalloc byte[IndexKeys.UserMintLength];
            var length = IndexKeys.WriteUserCount(key, user, mint);
            var value = _store.Db.Get(key[..length], _userEventCounts);
            return value is null ? 0 : IndexValues.ReadCount(key[..length], value);
        }
        finally
        {
            _store.ExitReader();
        }
    }

    /// <summary>
    /// Stages one row of a mint's event list (<c>mint_events</c>) and its row in apply order (<c>mint_event_seqs</c>),
    /// <paramref name="seq"/> being the seq of the batch that stored the event.
    /// </summary>
    public void StageMintEvent(StoreWrite write, PublicKey mint, ChainPosition position, EventKind kind, long seq) =>
        _stager.MintEvent(write, mint, position, kind, seq);

    /// <summary>Stages one row of a user's event list (<c>user_events</c>), with the event's mint for filtering.</summary>
    public void StageUserEvent(StoreWrite write, PublicKey user, ChainPosition position, EventKind kind, PublicKey mint) =>
        _stager.UserEvent(write, user, position, kind, mint);

    /// <summary>Stages a user's event count, in total (<paramref name="mint"/> null) or in one mint.</summary>
    public void StageUserEventCount(StoreWrite write, PublicKey user, PublicKey? mint, ulong count) =>
        _stager.UserEventCount(write, user, mint, count);

    /// <summary>
    /// Stages an order's change from <paramref name="before"/> (as stored; null: none) to <paramref name="after"/> (null:
    /// closed): the order row and its per-mint and per-user index rows, moving index rows whose sort fields changed.
    /// </summary>
    public void StageOrder(StoreWrite write, PublicKey orderPda, OpenOrder? before, OpenOrder? after) =>
        _stager.Order(write, orderPda, before, after);

    /// <summary>
    /// Stages a mint's row, moving its first-seen index row when its first position changed from <paramref name="before"/>
    /// (the row as stored; null for a new mint). <paramref name="after"/> is published once the write succeeded and
    /// must not be changed from now on.
    /// </summary>
    public void StageMint(StoreWrite write, MintDetails? before, MintDetails after)
    {
        ArgumentNullException.ThrowIfNull(after);
        _stager.Mint(write, before, after);
        _pendingMints.Add(after);
    }

    /// <summary>Stages the removal of every index row (one range deletion per family); the in-memory mints go at the commit.</summary>
    public void StageClear(StoreWrite write)
    {
        ArgumentNullException.ThrowIfNull(write);
        foreach (var family in ColumnFamilyNames.Derived)
        {
            write.DeleteAll(_store.Family(family), IndexKeys.LongestKey + 1);
        }
        _pendingMints.Clear();
        _pendingClear = true;
    }

    /// <summary>Stages the marker that says the index rows cover the whole event log in this version's layout.</summary>
    public void StageComplete(StoreWrite write)
    {
        ArgumentNullException.ThrowIfNull(write);
        write.Put(DerivedRowsMarkerKey, DerivedRowsMarker, _meta);
        _completeStaged = true;
    }

    /// <summary>
    /// A mint's events in chain order (oldest or newest first), after the cursor <paramref name="after"/> (a page's
    /// <see cref="IndexPage{T}.Next"/>), skipping <paramref name="skip"/> first.
    /// </summary>
    public IndexPage<StoredEvent> ReadMintEvents(PublicKey mint, bool newestFirst, byte[]? after, int skip, int limit) =>
        Page(_mintEvents, mint.AsSpan(), IndexKeys.OwnerPositionLength, after, newestFirst, skip, limit,
            filter: null, (key, _) => EventOfIndexRow(ColumnFamilyNames.MintEvents, key));

    /// <summary>
    /// A mint's events stored by batches after <paramref name="seq"/>, in the order they were applied (seq, then chain
    /// order within a batch): the event stream's resume (protocol.md, "Position and resume"). One range of
    /// <c>mint_event_seqs</c> from mint ‖ seq + 1, at most <paramref name="limit"/> + 1 keys; <c>Complete</c> is false
    /// (and the list cut at <paramref name="limit"/>) when more than <paramref name="limit"/> are stored.
    /// </summary>
    public (IReadOnlyList<StoredEvent> Events, bool Complete) ReadMintEventsAfter(PublicKey mint, long seq, int limit)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(seq);
        ArgumentOutOfRangeException.ThrowIfNegative(limit);
        var events = new List<StoredEvent>();
        _store.EnterReader();
        try
        {
            Span<byte> start = stackalloc byte[IndexKeys.MintSeqPositionLength];
            IndexKeys.WriteMintSeqPosition(start, mint, seq == long.MaxValue ? seq : seq + 1, default);
            using var iterator = _store.Db.NewIterator(_mintEventSeqs);
            for (iterator.Seek(start); iterator.Valid(); iterator.Next())
            {
                var key = iterator.GetKeySpan();
                if (!key.StartsWith(mint.AsSpan()))
                {
                    break;
                }
                Interlocked.Increment(ref _indexKeysRead);
                if (events.Count == limit)
                {
                    return (events, false);
                }
                var (_, position) = IndexKeys.ReadMintSeqPosition(key);
                Interlocked.Increment(ref _indexItemsRead);
                events.Add(_store.Events.ReadEventAt(position)
                    ?? throw StoreCorruptedException.Row(ColumnFamilyNames.MintEventSeqs, key, "the indexed event is not stored"));
            }
            Native.Instance.rocksdb_iter_get_error(iterator.Handle);
            return (events, true);
        }
        finally
        {
            _store.ExitReader();
        }
    }

    /// <summary>
    /// A user's events (docs/storage.md, "user_events", says which events belong to whom), optionally of one mint, in
    /// chain order. A mint filter visits at most <see cref="IndexScan.MaxScannedRows"/> rows per page: a page can then
    /// be short while <see cref="IndexPage{T}.HasMore"/> is true.
    /// </summary>
    public IndexPage<StoredEvent> ReadUserEvents(PublicKey user, PublicKey? mint, bool newestFirst, byte[]? after, int skip, int limit) =>
        Page(_userEvents, user.AsSpan(), IndexKeys.OwnerPositionLength, after, newestFirst, skip, limit,
            mint is { } wanted ? (key, value) => IndexValues.ReadUserEventMint(key, value) == wanted : null,
            (key, _) => EventOfIndexRow(ColumnFamilyNames.UserEvents, key));

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
            return MintActivity.Page(_committed.Values, after, skip, limit);
        }
        const string family = ColumnFamilyNames.MintsByFirst;
        return Page(_mintsByFirst, [], IndexKeys.PositionMintLength, after, order != MintOrder.FirstSeenOldestFirst, skip, limit,
            filter: null, (key, _) =>
            {
                // Index rows and mint rows are written in the same batch, but the in-memory row is published just
                // after the write: a read in between finds the new mint only in RocksDB.
                var mint = IndexKeys.ReadPositionMint(family, key);
                Interlocked.Increment(ref _indexItemsRead);
                return GetMint(mint) ?? ReadMintRow(mint)
                    ?? throw StoreCorruptedException.Row(family, key, "the mint has no mints row");
            });
    }

    /// <summary>A mint's open orders of one type by <c>lock_lp_start_price</c>, ascending or descending.</summary>
    public IndexPage<OpenOrder> ReadMintOrders(PublicKey mint, byte orderType, bool descending, byte[]? after, int skip, int limit)
    {
        Span<byte> prefix = stackalloc byte[IndexKeys.MintOrderPrefixLength];
        mint.CopyTo(prefix);
        prefix[PublicKey.Length] = orderType;
        return Page(_store.Family(ColumnFamilyNames.MintOrders), prefix, IndexKeys.MintOrderLength, after, descending, skip, limit,
            filter: null, (key, _) => OrderOfIndexRow(ColumnFamilyNames.MintOrders, key, IndexKeys.MintOrderLength));
    }

    /// <summary>A user's open orders by <c>start_time</c>, optionally of one mint (bounded like <see cref="ReadUserEvents"/>).</summary>
    public IndexPage<OpenOrder> ReadUserOrders(PublicKey user, PublicKey? mint, bool newestFirst, byte[]? after, int skip, int limit) =>
        Page(_userOrders, user.AsSpan(), IndexKeys.UserOrderLength, after, newestFirst, skip, limit,
            mint is { } wanted ? (key, value) => IndexValues.ReadUserOrderMint(key, value) == wanted : null,
            (key, _) => OrderOfIndexRow(ColumnFamilyNames.UserOrders, key, IndexKeys.UserOrderLength));

    /// <summary>How many open orders the user has (of one mint when given), counting at most <see cref="IndexScan.MaxScannedRows"/> rows.</summary>
    public int CountUserOrders(PublicKey user, PublicKey? mint)
    {
        var page = Page(_userOrders, user.AsSpan(), IndexKeys.UserOrderLength, null, false, 0, IndexScan.MaxScannedRows,
            mint is { } wanted ? (key, value) => IndexValues.ReadUserOrderMint(key, value) == wanted : null,
            static (_, _) => true);
        return page.Items.Count;
    }

    /// <summary>Makes the staged mint rows visible, and marks a finished rebuild. Call only after the write succeeded.</summary>
    internal void Publish()
    {
        if (_pendingClear)
        {
            _committed.Clear();
        }
        foreach (var mint in _pendingMints)
        {
            _committed[mint.Mint] = mint;
        }
        if (_completeStaged)
        {
            NeedsRebuild = false;
        }
        Discard();
    }

    internal void Discard()
    {
        _pendingMints.Clear();
        _pendingClear = false;
        _completeStaged = false;
    }

    private static ReadOnlySpan<byte> DerivedRowsMarkerKey => "derived_rows"u8;

    private static ReadOnlySpan<byte> DerivedRowsMarker => [IndexValues.DerivedRowsVersion];

    private IndexPage<T> Page<T>(ColumnFamilyHandle family, ReadOnlySpan<byte> prefix, int keyLength, byte[]? after, bool descending,
        int skip, int limit, IndexScan.RowFilter? filter, IndexScan.RowReader<T> read)
    {
        var (page, visited) = IndexScan.Page(_store, family, prefix, keyLength, after, descending, skip, limit, filter, read);
        Interlocked.Add(ref _indexKeysRead, visited);
        return page;
    }

    private MintDetails? ReadMintRow(PublicKey mint)
    {
        var value = _store.Db.Get(mint.AsSpan(), _mints);
        return value is null ? null : IndexValues.ReadMint(mint.AsSpan(), value);
    }

    private StoredEvent EventOfIndexRow(string family, ReadOnlySpan<byte> key)
    {
        var position = IndexKeys.ReadOwnerPosition(family, key);
        Interlocked.Increment(ref _indexItemsRead);
        // Index rows are written in the same batches as their events, and events are never deleted.
        return _store.Events.ReadEventAt(position) ?? throw StoreCorruptedException.Row(family, key, "the indexed event is not stored");
    }

    private OpenOrder OrderOfIndexRow(string family, ReadOnlySpan<byte> key, int length)
    {
        var pda = IndexKeys.ReadOrderPda(family, key, length);
        Interlocked.Increment(ref _indexItemsRead);
        var value = _store.Db.Get(pda.AsSpan(), _orders)
            ?? throw StoreCorruptedException.Row(family, key, "the indexed order has no orders row");
        return IndexValues.ReadOrder(pda.AsSpan(), value);
    }

    /// <summary>
    /// A database without the marker row was written before the index rows existed, one with an older marker before some
    /// of them (version 1 had no user_event_counts). An empty one gets the current marker now; one with events needs a
    /// rebuild.
    /// </summary>
    private bool CheckMarker()
    {
        if (_store.Db.Get(DerivedRowsMarkerKey, _meta) is { Length: > 0 } marker && marker[0] >= IndexValues.DerivedRowsVersion)
        {
            return false;
        }
        if (_store.Events.HasEvents())
        {
            return true;
        }
        _store.Db.Put(DerivedRowsMarkerKey, DerivedRowsMarker, _meta, _store.WriteOptions);
        return false;
    }
}

/// <summary>The orders of <see cref="RestIndexStore.ReadMints"/>.</summary>
public enum MintOrder
{
    FirstSeenNewestFirst,
    FirstSeenOldestFirst,
    ActivityNewestFirst,
}
