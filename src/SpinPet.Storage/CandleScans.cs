using RocksDbSharp;
using SpinPet.Core.Candles;

namespace SpinPet.Storage;

/// <summary>
/// The whole-family candle walks, each on one snapshot: the newest candle of every topic (seeding the candle builder)
/// and every candle (the rebuild and its checks). Lazy: the lease and the iterators are released when the enumeration
/// is disposed (foreach does).
/// </summary>
internal static class CandleScans
{
    public static IEnumerable<TopicCandle> Newest(SpinPetStore store, ColumnFamilyHandle topicsFamily, ColumnFamilyHandle candlesFamily)
    {
        store.EnterReader();
        try
        {
            using var snapshot = store.Db.CreateSnapshot();
            using var topics = store.Db.NewIterator(topicsFamily, new ReadOptions().SetSnapshot(snapshot));
            using var candles = store.Db.NewIterator(candlesFamily, new ReadOptions().SetSnapshot(snapshot));
            var seekKey = new byte[CandleKeys.CandleLength];
            for (topics.SeekToFirst(); topics.Valid(); topics.Next())
            {
                yield return NewestOfTopic(topics, candles, seekKey);
            }
            Native.Instance.rocksdb_iter_get_error(topics.Handle);
        }
        finally
        {
            store.ExitReader();
        }
    }

    public static IEnumerable<TopicCandle> All(SpinPetStore store, ColumnFamilyHandle topicsFamily, ColumnFamilyHandle candlesFamily)
    {
        store.EnterReader();
        try
        {
            using var snapshot = store.Db.CreateSnapshot();
            var options = new ReadOptions().SetSnapshot(snapshot);
            using var candles = store.Db.NewIterator(candlesFamily, options);
            // Keys come in topic order, so the topic row (for the interval's name) is read once per topic.
            var topicKey = new byte[CandleKeys.TopicLength];
            CandleTopic topic = default;
            for (candles.SeekToFirst(); candles.Valid(); candles.Next())
            {
                var key = candles.GetKeySpan();
                CandleKeys.CheckCandleKey(key);
                var keyTopic = key[..CandleKeys.TopicLength];
                if (topic.Interval.Name is null || !keyTopic.SequenceEqual(topicKey))
                {
                    keyTopic.CopyTo(topicKey);
                    var value = store.Db.Get(topicKey, topicsFamily, options)
                        ?? throw StoreCorruptedException.Row(ColumnFamilyNames.Candles, key, "the candle has no candle_topics row");
                    topic = CandleValues.ReadTopic(topicKey, value);
                }
                yield return new TopicCandle(CandleKeys.ReadMint(key), topic.Interval, CandleValues.ReadCandle(key, candles.GetValueSpan()));
            }
            Native.Instance.rocksdb_iter_get_error(candles.Handle);
        }
        finally
        {
            store.ExitReader();
        }
    }

    /// <summary>The newest candle of the topic under <paramref name="topics"/>: SeekForPrev to its greatest possible key.</summary>
    private static TopicCandle NewestOfTopic(Iterator topics, Iterator candles, byte[] seekKey)
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
}
