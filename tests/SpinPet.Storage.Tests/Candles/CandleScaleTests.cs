using RocksDbSharp;
using SpinPet.Core.Candles;
using static SpinPet.Storage.Tests.Candles.CandleData;

namespace SpinPet.Storage.Tests.Candles;

/// <summary>
/// A history page costs the same however many candles are stored: shown by counting what a read touches (keys
/// visited by the store, and RocksDB's own per-thread perf counters), not by timing it.
/// </summary>
public sealed class CandleScaleTests
{
    private const int HotTopicCandles = 200_000;
    private const int OtherTopics = 10;
    private const int CandlesPerOtherTopic = 10_000;

    [Fact]
    public void A_page_of_100_candles_touches_about_101_keys_among_300000_stored()
    {
        using var fixture = new StoreFixture();
        var store = fixture.Store;
        // The hot topic (mint 5) sits between other topics in key order, so a scan could not stop early by luck.
        for (int mint = 0; mint <= OtherTopics; mint++)
        {
            int count = mint == 5 ? HotTopicCandles : CandlesPerOtherTopic;
            foreach (var chunk in Enumerable.Range(0, count).Chunk(50_000))
            {
                store.WriteCandles(Series(mint, Interval.S1, chunk.Select(i => 1_700_000_000L + i)));
            }
        }
        store.WriteCandles(Series(5, Interval.S30, Enumerable.Range(0, CandlesPerOtherTopic).Select(i => 1_700_000_000L + (30L * i))));
        // Into SST files: the reads below go through index and data blocks, as they would on a long-running server.
        store.Flush();
        Assert.Equal(HotTopicCandles, store.Candles.CountCandles(Mint(5), Interval.S1));

        var (newestKeys, newestBlocks) = Measure(store, () => store.Candles.ReadCandlesNewest(Mint(5), Interval.S1, 100));
        var (oldestKeys, oldestBlocks) = Measure(store, () => store.Candles.ReadCandlesFrom(Mint(5), Interval.S1, 1_700_000_000L, 100));
        var (middleKeys, middleBlocks) = Measure(store, () => store.Candles.ReadCandlesNewest(Mint(5), Interval.S1, 100, beforeTime: 1_700_100_000L));
        var (_, scanBlocks) = Measure(store, () => Assert.Equal(310_000, store.Candles.ReadAllCandles().Count()));

        Assert.Equal(101, newestKeys);
        Assert.Equal(101, oldestKeys);
        Assert.Equal(101, middleKeys);
        // ≥ 170 rows per 16 KiB block: a page reads one or two data blocks per sorted run (measured: 3 blocks per
        // page, ~1,250 for the scan). The bound leaves room for more runs, not for a cost that grows with the data.
        Assert.InRange(newestBlocks, 1, 20);
        Assert.InRange(oldestBlocks, 1, 20);
        Assert.InRange(middleBlocks, 1, 20);
        Assert.True(scanBlocks > 50 * Math.Max(newestBlocks, Math.Max(oldestBlocks, middleBlocks)), $"a full scan touched only {scanBlocks} blocks");

        var page = store.Candles.ReadCandlesNewest(Mint(5), Interval.S1, 100, beforeTime: 1_700_100_000L);
        Assert.Equal(Enumerable.Range(0, 100).Select(i => 1_700_099_999L - i), Times(page));
        Assert.True(page.HasMore);
    }

    private static long KeysVisited(SpinPetStore store, Action read)
    {
        long before = store.Candles.CandleKeysRead;
        read();
        return store.Candles.CandleKeysRead - before;
    }

    /// <summary>
    /// Keys the store visited and blocks RocksDB touched (cache hits plus reads) during <paramref name="read"/>.
    /// Perf counters are per thread; the read runs synchronously on this one.
    /// </summary>
    private static (long Keys, long Blocks) Measure(SpinPetStore store, Action read)
    {
        var context = Native.Instance.rocksdb_perfcontext_create();
        try
        {
            Native.Instance.rocksdb_set_perf_level(PerfLevel.EnableCount);
            Native.Instance.rocksdb_perfcontext_reset(context);
            long keys = KeysVisited(store, read);
            ulong blocks = Native.Instance.rocksdb_perfcontext_metric(context, PerfMetric.BlockCacheHitCount)
                + Native.Instance.rocksdb_perfcontext_metric(context, PerfMetric.BlockReadCount);
            return (keys, (long)blocks);
        }
        finally
        {
            Native.Instance.rocksdb_set_perf_level(PerfLevel.Disable);
            Native.Instance.rocksdb_perfcontext_destroy(context);
        }
    }
}
