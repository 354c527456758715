using RocksDbSharp;
using SpinPet.Core.Candles;
using SpinPet.Core.Chain;

namespace SpinPet.Storage;

/// <summary>Candles: history pages, counts, seeding and the standalone writes of the finalizer and the rebuild.</summary>
public sealed partial class SpinPetStore
{
    /// <summary>A history page holds ≤ 1,000 candles (protocol limit); a larger limit must not pre-allocate for it.</summary>
    private const int MaxPageCapacity = 1024;

    private long _candleKeysRead;

    /// <summary>
    /// Keys visited by the candle range reads since open (each returned candle plus the look-ahead for has_more).
    /// Tests use it to show that a page costs <c>limit + 1</c> keys whatever the number of stored candles.
    /// </summary>
    internal long CandleKeysRead => Interlocked.Read(ref _candleKeysRead);

    /// <summary>
    /// Writes candle rows and their topic counters in one atomic batch, outside an event batch: the finalizer's
    /// <c>is_final</c> updates and the rebuild. Same rules as the candle callback of
    /// <see cref="Apply(IReadOnlyList{Core.Ingest.IngestedTransaction}, Core.Ingest.Checkpoint, Func{IReadOnlyList{Core.Ingest.IngestedTransaction}, IReadOnlyList{CandleWrite}})"/>.
    /// </summary>
    public void WriteCandles(IReadOnlyList<CandleWrite> candles)
    {
        ArgumentNullException.ThrowIfNull(candles);
        lock (_writeLock)
        {
            ObjectDisposedException.ThrowIf(_disposed != 0, this);
            _candleWriter.Reset();
            if (candles.Count == 0)
            {
                return;
            }
            using var batch = new WriteBatch();
            _candleWriter.Stage(batch, candles);
            _db.Write(batch, _writeOptions);
            _candleWriter.Publish();
        }
    }

    /// <summary>
    /// Removes every candle and topic counter in one atomic batch (two range deletions, whatever the number of rows),
    /// before a rebuild from the event log. A concurrent read sees all candles or none.
    /// </summary>
    public void DeleteAllCandles()
    {
        lock (_writeLock)
        {
            ObjectDisposedException.ThrowIf(_disposed != 0, this);
            using var batch = new WriteBatch();
            _candleWriter.StageDeleteAll(batch);
            _db.Write(batch, _writeOptions);
            _candleWriter.Publish();
        }
    }

    /// <summary>How many candles the topic has stored (<c>total_count</c>): an in-memory lookup.</summary>
    public long CountCandles(PublicKey mint, Interval interval) =>
        _candleWriter.TryGetTopic(new CandleTopicId(mint, CandleKeys.Seconds(interval)), out var topic) ? topic.Count : 0;

    /// <summary>
    /// The newest <paramref name="limit"/> candles of the topic with time &lt; <paramref name="beforeTime"/> and
    /// time ≤ <paramref name="toTime"/> (each when given), newest first. One bounded SeekForPrev and
    /// <paramref name="limit"/> + 1 steps: the cost does not depend on how many candles are stored. With
    /// <paramref name="skip"/>, that many newest candles of the window are stepped over first (keys only, not decoded).
    /// </summary>
    public CandlePage ReadCandlesNewest(PublicKey mint, Interval interval, int limit, long? beforeTime = null, long? toTime = null, int skip = 0) =>
        ReadCandles(mint, interval, CandleQuery.Newest(beforeTime, toTime), skip, limit, newestFirst: true);

    /// <summary>
    /// The oldest <paramref name="limit"/> candles of the topic with time ≥ <paramref name="fromTime"/> and time ≤
    /// <paramref name="toTime"/> (when given), oldest first. One bounded Seek and <paramref name="limit"/> + 1 steps,
    /// after stepping over <paramref name="skip"/> oldest candles of the window (keys only, not decoded).
    /// </summary>
    public CandlePage ReadCandlesFrom(PublicKey mint, Interval interval, long fromTime, int limit, long? toTime = null, int skip = 0) =>
        ReadCandles(mint, interval, CandleQuery.From(fromTime, toTime), skip, limit, newestFirst: false);

    /// <summary>The topic's newest stored candle: one bounded SeekForPrev.</summary>
    public bool TryGetNewestCandle(PublicKey mint, Interval interval, out Candle candle)
    {
        var page = ReadCandles(mint, interval, CandleQuery.Newest(before: null, to: null), skip: 0, limit: 1, newestFirst: true);
        candle = page.Candles.Count == 1 ? page.Candles[0] : default;
        return page.Candles.Count == 1;
    }

    /// <summary>
    /// The newest stored candle of every topic, in key order (mint, then interval length), to seed the candle builder
    /// at start: one pass over <c>candle_topics</c> and one SeekForPrev per topic, on one snapshot.
    /// </summary>
    public IEnumerable<TopicCandle> ReadNewestCandles()
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        return ScanNewestCandles();
    }

    /// <summary>Every stored candle in key order (mint, interval length, time), on one snapshot: for the rebuild and its checks.</summary>
    public IEnumerable<TopicCandle> ReadAllCandles()
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        return ScanAllCandles();
    }

    private CandlePage ReadCandles(in PublicKey mint, Interval interval, CandleQuery query, int skip, int limit, bool newestFirst)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(skip);
        ArgumentOutOfRangeException.ThrowIfNegative(limit);
        uint seconds = CandleKeys.Seconds(interval);
        EnterReader();
        try
        {
            if (query.IsEmpty)
            {
                return new CandlePage([], HasMore: false);
            }
            // The bounds confine the iterator to this topic's window: it cannot step into a neighbouring topic, and
            // RocksDB stops at the bound instead of reading on to find the next key. The native copies of the bounds
            // live with the ReadOptions, which the iterator keeps alive.
            byte[] lower = query.LowerBound(mint, seconds);
            byte[] upper = query.UpperBound(mint, seconds);
            var options = new ReadOptions().SetIterateLowerBound(lower).SetIterateUpperBound(upper);
            using var iterator = _db.NewIterator(_candles, options);
            if (newestFirst)
            {
                // The last key ≤ the candle key of the window's last time (upper bound without its 00 suffix).
                iterator.SeekForPrev(upper.AsSpan(0, CandleKeys.CandleLength));
            }
            else
            {
                iterator.Seek(lower);
            }

            var candles = new List<Candle>(Math.Min(limit, MaxPageCapacity));
            bool hasMore = false;
            long visited = 0;
            while (iterator.Valid())
            {
                visited++;
                if (candles.Count == limit)
                {
                    // The look-ahead key: another candle exists beyond the page; its value is not needed.
                    hasMore = true;
                    break;
                }
                if (skip > 0)
                {
                    skip--;
                }
                else
                {
                    var key = iterator.GetKeySpan();
                    CandleKeys.CheckCandleKey(key);
                    candles.Add(CandleValues.ReadCandle(key, iterator.GetValueSpan()));
                }
                if (newestFirst)
                {
                    iterator.Prev();
                }
                else
                {
                    iterator.Next();
                }
            }
            if (!hasMore)
            {
                // An iterator also stops being valid on an I/O error or corruption; that must not look like the end.
                Native.Instance.rocksdb_iter_get_error(iterator.Handle);
            }
            Interlocked.Add(ref _candleKeysRead, visited);
            return new CandlePage(candles, hasMore);
        }
        finally
        {
            ExitReader();
        }
    }

    private IEnumerable<TopicCandle> ScanNewestCandles()
    {
        EnterReader();
        try
        {
            using var snapshot = _db.CreateSnapshot();
            using var topics = _db.NewIterator(_candleTopics, new ReadOptions().SetSnapshot(snapshot));
            using var candles = _db.NewIterator(_candles, new ReadOptions().SetSnapshot(snapshot));
            var seekKey = new byte[CandleKeys.CandleLength];
            for (topics.SeekToFirst(); topics.Valid(); topics.Next())
            {
                yield return ReadNewestOfTopic(topics, candles, seekKey);
            }
            Native.Instance.rocksdb_iter_get_error(topics.Handle);
        }
        finally
        {
            ExitReader();
        }
    }

    /// <summary>The newest candle of the topic under <paramref name="topics"/>: SeekForPrev to its greatest possible key.</summary>
    private static TopicCandle ReadNewestOfTopic(Iterator topics, Iterator candles, byte[] seekKey)
    {
        var topicKey = topics.GetKeySpan();
        CandleKeys.CheckTopicKey(topicKey);
        var topic = CandleValues.ReadTopic(topicKey, topics.GetValueSpan());
        var mint = CandleKeys.ReadMint(topicKey);
        CandleKeys.WriteCandle(seekKey, mint, CandleKeys.ReadSeconds(topicKey), long.MaxValue);
        candles.SeekForPrev(seekKey);
        if (!candles.Valid() || !candles.GetKeySpan().StartsWith(topicKey))
        {
            Native.Instance.rocksdb_iter_get_error(candles.Handle);
            // Topic rows are written and deleted in the same batches as their candles.
            throw StoreCorruptedException.Row(ColumnFamilyNames.CandleTopics, topicKey, "the topic has no candles");
        }
        var candleKey = candles.GetKeySpan();
        CandleKeys.CheckCandleKey(candleKey);
        return new TopicCandle(mint, topic.Interval, CandleValues.ReadCandle(candleKey, candles.GetValueSpan()));
    }

    private IEnumerable<TopicCandle> ScanAllCandles()
    {
        EnterReader();
        try
        {
            using var snapshot = _db.CreateSnapshot();
            var options = new ReadOptions().SetSnapshot(snapshot);
            using var candles = _db.NewIterator(_candles, options);
            // Keys come in topic order, so the topic row (for the interval's name) is read once per topic.
            var topicKey = new byte[CandleKeys.TopicLength];
            CandleTopic topic = default;
            for (candles.SeekToFirst(); candles.Valid(); candles.Next())
            {
                yield return ReadCandleRow(candles, topicKey, ref topic, options);
            }
            Native.Instance.rocksdb_iter_get_error(candles.Handle);
        }
        finally
        {
            ExitReader();
        }
    }

    private TopicCandle ReadCandleRow(Iterator candles, byte[] topicKey, ref CandleTopic topic, ReadOptions options)
    {
        var key = candles.GetKeySpan();
        CandleKeys.CheckCandleKey(key);
        var keyTopic = key[..CandleKeys.TopicLength];
        if (topic.Interval.Name is null || !keyTopic.SequenceEqual(topicKey))
        {
            keyTopic.CopyTo(topicKey);
            var value = _db.Get(topicKey, _candleTopics, options)
                ?? throw StoreCorruptedException.Row(ColumnFamilyNames.Candles, key, "the candle has no candle_topics row");
            topic = CandleValues.ReadTopic(topicKey, value);
        }
        return new TopicCandle(CandleKeys.ReadMint(key), topic.Interval, CandleValues.ReadCandle(key, candles.GetValueSpan()));
    }
}
