using RocksDbSharp;

namespace SpinPet.Storage;

/// <summary>
/// RocksDB settings for a 2-core server whose write load is one ingest loop appending in chain order and whose read
/// load is range scans over events plus point lookups of signatures. The reasons and numbers are in
/// docs/storage.md, "RocksDB options".
/// </summary>
internal static class StoreOptions
{
    /// <summary>64 MiB shared by all families: the recent events that clients page through plus the index and
    /// filter blocks of the signatures family, on a machine that also runs the server.</summary>
    private const ulong BlockCacheBytes = 64UL << 20;

    /// <summary>2 cores: one flush and one compaction at a time leaves a core for ingest and clients.</summary>
    private const int MaxBackgroundJobs = 2;

    /// <summary>
    /// Without a cap, a rarely written family (rejected) pins old WAL files until ~830 MB of WAL accumulate
    /// (4 × the sum of the write buffers); 256 MiB forces its small memtable out sooner.
    /// </summary>
    private const ulong MaxTotalWalBytes = 256UL << 20;

    public static (DbOptions Db, ColumnFamilies Families) Create(string path)
    {
        var db = new DbOptions()
            .SetCreateIfMissing(true)
            .SetCreateMissingColumnFamilies(true)
            // Kill-safe, not power-safe: writes use the WAL without fsync (WriteOptions default sync = false). A
            // killed process loses nothing already written (the WAL is in the OS page cache); a power loss can lose
            // the last moments, and point-in-time recovery then replays the WAL up to the last intact batch, so the
            // store comes back consistent (events, signatures, counters and checkpoint of a batch are one record).
            .SetWalRecoveryMode(Recovery.PointInTime)
            .SetMaxTotalWalSize(MaxTotalWalBytes)
            // Smooths write-back of new SST files into 1 MiB pieces instead of one burst at file close.
            .SetBytesPerSync(1UL << 20)
            // RocksDB's own LOG: 5 files of ≤ 16 MiB instead of the default of up to 1,000 files.
            .SetKeepLogFileNum(5)
            .SetMaxLogFileSize(16UL << 20);
        Native.Instance.rocksdb_options_set_max_background_jobs(db.Handle, MaxBackgroundJobs);

        var cache = Cache.CreateLru(BlockCacheBytes);
        var families = new ColumnFamilies(Small(cache));
        foreach (var name in ColumnFamilyNames.All)
        {
            families.Add(name, name switch
            {
                ColumnFamilyNames.Events => Events(cache),
                ColumnFamilyNames.Signatures => Signatures(cache),
                ColumnFamilyNames.Candles => Candles(cache),
                ColumnFamilyNames.MintEvents or ColumnFamilyNames.UserEvents or ColumnFamilyNames.MintEventSeqs => EventIndex(cache),
                ColumnFamilyNames.Orders => Orders(cache),
                ColumnFamilyNames.UserEventCounts or ColumnFamilyNames.TokenMetadata => PointLookups(cache),
                _ => Small(cache),
            });
        }
        // RocksDB refuses to open a database without naming every family it has; one this version does not know
        // (written by a later version) is opened with small defaults and left alone.
        if (RocksDb.TryListColumnFamilies(db, path, out var existing))
        {
            foreach (var name in existing)
            {
                if (name != ColumnFamilies.DefaultName && Array.IndexOf(ColumnFamilyNames.All, name) < 0)
                {
                    families.Add(name, Small(cache));
                }
            }
        }
        return (db, families);
    }

    /// <summary>
    /// Events: written once in key order, read by range scans. 16 KiB blocks make scans cheap and give LZ4 more to
    /// work with (payer and mint repeat across a token's events; signatures and amounts do not). 64 MiB memtables
    /// (the RocksDB default) hold ~300,000 events of ~200 bytes (a BuySell row is 193) before a flush.
    /// </summary>
    private static ColumnFamilyOptions Events(Cache cache) =>
        new ColumnFamilyOptions()
            .SetCompression(Compression.Lz4)
            .SetWriteBufferSize(64UL << 20)
            .SetBlockBasedTableFactory(new BlockBasedTableOptions()
                .SetBlockCache(cache)
                .SetBlockSize(16UL << 10));

    /// <summary>
    /// Signatures: one point lookup per ingested transaction, nearly all misses (new transactions). A 10 bits/key
    /// bloom filter (~1% false positives) answers a miss without reading a data block. Keys are 64 random bytes
    /// that no compressor shrinks, so compression is off; 4 KiB blocks keep a hit to one small read.
    /// </summary>
    private static ColumnFamilyOptions Signatures(Cache cache) =>
        new ColumnFamilyOptions()
            .SetCompression(Compression.No)
            .SetWriteBufferSize(32UL << 20)
            // A miss in a full memtable walks a skiplist of ~300,000 keys: ~4 µs, measured, which made it the
            // largest cost per transaction. A bloom filter over the memtable answers it in well under 1 µs. The
            // binding exposes the memtable filter only by prefix, so the prefix is the whole 64-byte key; 2% of the
            // memtable (640 KiB) is ~17 bits per key.
            .SetPrefixExtractor(SliceTransform.CreateFixedPrefix(Keys.SignatureLength))
            .SetMemtablePrefixBloomSizeRatio(0.02)
            .SetBlockBasedTableFactory(new BlockBasedTableOptions()
                .SetBlockCache(cache)
                .SetBlockSize(4UL << 10)
                .SetFilterPolicy(BloomFilterPolicy.Create(10, false))
                .SetWholeKeyFiltering(true));

    /// <summary>
    /// Candles: 95-byte rows (44-byte key, 50-byte value) rewritten on every price event of an open bucket, read as
    /// short key ranges (history pages of ≤ 1,000 rows, ~95 KB) and probed by one point lookup per newly opened
    /// candle. A 16 MiB memtable (~130,000 rows with skiplist overhead) absorbs the rewrites of open candles; 16 KiB
    /// blocks hold ≥ 170 rows, so a 100-candle page reads one or two data blocks; the 10 bits/key bloom answers the
    /// lookup of a new candle, which misses, without a data read. Keys in a block already share their mint and interval
    /// prefix (delta encoding); LZ4 takes what repeats in the values (zero volume, flags, small counts) cheaply.
    /// </summary>
    private static ColumnFamilyOptions Candles(Cache cache) =>
        new ColumnFamilyOptions()
            .SetCompression(Compression.Lz4)
            .SetWriteBufferSize(16UL << 20)
            .SetBlockBasedTableFactory(new BlockBasedTableOptions()
                .SetBlockCache(cache)
                .SetBlockSize(16UL << 10)
                .SetFilterPolicy(BloomFilterPolicy.Create(10, false))
                .SetWholeKeyFiltering(true));

    /// <summary>
    /// mint_events and user_events: one 46–48 byte row per event (owner ‖ position → 2 or 34 bytes), appended in
    /// chain order per owner and read as short ranges of one owner. 32 MiB memtables hold ~250,000 rows (a quarter of
    /// the events family's 64 MiB, for rows a quarter its size) so flushes stay as rare as the events family's; the key
    /// prefix (the owner) is delta-encoded inside 16 KiB blocks and LZ4 takes the repeated mint of a user's rows.
    /// </summary>
    private static ColumnFamilyOptions EventIndex(Cache cache) =>
        new ColumnFamilyOptions()
            .SetCompression(Compression.Lz4)
            .SetWriteBufferSize(32UL << 20)
            .SetBlockBasedTableFactory(new BlockBasedTableOptions()
                .SetBlockCache(cache)
                .SetBlockSize(16UL << 10));

    /// <summary>
    /// Open orders: one point lookup per margin event, a miss for every newly opened order: the bloom filter answers
    /// it without a data read. Rows are rewritten and deleted as orders change; 8 MiB absorbs that churn.
    /// </summary>
    private static ColumnFamilyOptions Orders(Cache cache) =>
        new ColumnFamilyOptions()
            .SetCompression(Compression.Lz4)
            .SetWriteBufferSize(8UL << 20)
            .SetBlockBasedTableFactory(new BlockBasedTableOptions()
                .SetBlockCache(cache)
                .SetFilterPolicy(BloomFilterPolicy.Create(10, false))
                .SetWholeKeyFiltering(true));

    /// <summary>
    /// user_event_counts and token_metadata: point lookups only. A count is read once per touched user and batch, a
    /// miss for a new user; token metadata is looked up per mint of a /api/details request, a miss until it is fetched.
    /// The bloom filter answers misses without a data read; rows are small (9 bytes, ~0.3–2 KB), 4 MiB memtables.
    /// </summary>
    private static ColumnFamilyOptions PointLookups(Cache cache) =>
        new ColumnFamilyOptions()
            .SetCompression(Compression.Lz4)
            .SetWriteBufferSize(4UL << 20)
            .SetBlockBasedTableFactory(new BlockBasedTableOptions()
                .SetBlockCache(cache)
                .SetFilterPolicy(BloomFilterPolicy.Create(10, false))
                .SetWholeKeyFiltering(true));

    /// <summary>Rejected, meta, candle_topics, the mint and order indexes and default: a few rows per mint or order (rewritten per batch at most); 4 MiB memtables so that they do not reserve memory.</summary>
    private static ColumnFamilyOptions Small(Cache cache) =>
        new ColumnFamilyOptions()
            .SetCompression(Compression.Lz4)
            .SetWriteBufferSize(4UL << 20)
            .SetBlockBasedTableFactory(new BlockBasedTableOptions().SetBlockCache(cache));
}
