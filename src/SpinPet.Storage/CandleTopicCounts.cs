using System.Collections.Concurrent;
using RocksDbSharp;
using SpinPet.Core.Candles;

namespace SpinPet.Storage;

/// <summary>
/// Stages candle rows with their topic rows into a write and owns the in-memory copy of <c>candle_topics</c> (loaded
/// at open) that makes <c>total_count</c> an O(1) lookup. Staging works on a pending copy; the committed copy changes
/// only in <see cref="Publish"/>, after the write succeeded, so a failed write leaves counts as they were. Every
/// method but the reads runs on the single writer.
/// </summary>
internal sealed class CandleTopicCounts
{
    private readonly RocksDb _db;
    private readonly ColumnFamilyHandle _candles;
    private readonly ColumnFamilyHandle _topics;
    private readonly ConcurrentDictionary<CandleTopicId, CandleTopic> _committed;
    private readonly Dictionary<CandleTopicId, CandleTopic> _pending = [];

    /// <summary>Candles counted as new in the write being staged: a second row for one of them is an update.</summary>
    private readonly HashSet<(CandleTopicId Topic, long Time)> _newInWrite = [];
    private bool _pendingDeleteAll;

    private CandleTopicCounts(RocksDb db, ColumnFamilyHandle candles, ColumnFamilyHandle topics, ConcurrentDictionary<CandleTopicId, CandleTopic> committed)
    {
        _db = db;
        _candles = candles;
        _topics = topics;
        _committed = committed;
    }

    /// <summary>Reads every topic row: one per (mint, interval), a few hundred thousand at most, once at open.</summary>
    public static CandleTopicCounts Load(RocksDb db, ColumnFamilyHandle candles, ColumnFamilyHandle topics)
    {
        var committed = new ConcurrentDictionary<CandleTopicId, CandleTopic>();
        using (var iterator = db.NewIterator(topics))
        {
            for (iterator.SeekToFirst(); iterator.Valid(); iterator.Next())
            {
                var key = iterator.GetKeySpan();
                CandleKeys.CheckTopicKey(key);
                var topic = CandleValues.ReadTopic(key, iterator.GetValueSpan());
                committed[new CandleTopicId(CandleKeys.ReadMint(key), CandleKeys.ReadSeconds(key))] = topic;
            }
            Native.Instance.rocksdb_iter_get_error(iterator.Handle);
        }
        return new CandleTopicCounts(db, candles, topics, committed);
    }

    public bool TryGetTopic(in CandleTopicId id, out CandleTopic topic) => _committed.TryGetValue(id, out topic);

    /// <summary>Forgets what the write staged. Called when a write begins and when it ends without a commit.</summary>
    public void Discard()
    {
        _pending.Clear();
        _newInWrite.Clear();
        _pendingDeleteAll = false;
    }

    /// <summary>
    /// Puts every candle row into the write, in order (a later row for the same key wins), each with the write's seq as
    /// its updated_seq, then one row per topic whose count or newest time changed. Throws on an interval that cannot be
    /// stored; the caller then does not commit.
    /// </summary>
    public void Stage(StoreWrite write, IReadOnlyList<CandleWrite> candles)
    {
        Span<byte> key = stackalloc byte[CandleKeys.CandleLength];
        Span<byte> value = stackalloc byte[CandleValues.CandleLength];
        long seq = write.Position.Seq;
        for (int i = 0; i < candles.Count; i++)
        {
            var row = candles[i];
            uint seconds = CandleKeys.Seconds(row.Interval);
            var id = new CandleTopicId(row.Mint, seconds);
            CandleKeys.WriteCandle(key, row.Mint, seconds, row.Candle.Time);
            CandleValues.WriteCandle(value, row.Candle, seq);

            var topic = Current(id, row.Interval, out bool known);
            long count = topic.Count;
            // IsNew is the builder's word; the lookup keeps a replayed or rebuilt candle from being counted twice, so
            // total_count is the number of keys. A candle after the newest of a topic with a row has no key yet (the
            // topic row is written with its candles, its newest time the maximum of their keys): the live case, where
            // the lookup was a tenth of the ingest's time per batch.
            if (row.IsNew && _newInWrite.Add((id, row.Candle.Time))
                && (_pendingDeleteAll || (known && row.Candle.Time > topic.NewestTime) || !_db.HasKey(key, _candles)))
            {
                count++;
            }
            long newest = Math.Max(topic.NewestTime, row.Candle.Time);
            if (count != topic.Count || newest != topic.NewestTime || !known)
            {
                _pending[id] = topic with { Count = count, NewestTime = newest };
            }
            write.Put(key, value, _candles);
        }

        Span<byte> topicKey = stackalloc byte[CandleKeys.TopicLength];
        Span<byte> topicValue = stackalloc byte[CandleValues.MaxTopicLength];
        foreach (var (id, topic) in _pending)
        {
            CandleKeys.WriteTopic(topicKey, id.Mint, id.Seconds);
            int length = CandleValues.WriteTopic(topicValue, topic);
            write.Put(topicKey, topicValue[..length], _topics);
        }
    }

    /// <summary>Removes every row of both candle families: one range tombstone each, whatever their number.</summary>
    public void StageDeleteAll(StoreWrite write)
    {
        Discard();
        // Keys are 44 and 36 bytes: the single byte 00 sorts before all of them, 45 bytes of FF after all of them.
        write.DeleteAll(_candles, CandleKeys.InclusiveUpperBoundLength);
        write.DeleteAll(_topics, CandleKeys.InclusiveUpperBoundLength);
        _pendingDeleteAll = true;
    }

    /// <summary>Makes the staged counters visible. Call only after the write succeeded.</summary>
    public void Publish()
    {
        if (_pendingDeleteAll)
        {
            _committed.Clear();
        }
        foreach (var (id, topic) in _pending)
        {
            _committed[id] = topic;
        }
        Discard();
    }

    /// <summary>The topic's row as staged or committed (<paramref name="known"/>: it has one), else a new, empty one.</summary>
    private CandleTopic Current(in CandleTopicId id, Interval interval, out bool known)
    {
        known = _pending.TryGetValue(id, out var topic) || (!_pendingDeleteAll && _committed.TryGetValue(id, out topic));
        if (known)
        {
            return topic;
        }
        // A new topic: its name goes into the row, and readers parse it back, so it must be a valid interval name.
        if (!Interval.TryParse(interval.Name, out var parsed) || parsed.Seconds != interval.Seconds)
        {
            throw new ArgumentException($"'{interval.Name}' is not the name of a {interval.Seconds} s interval.", nameof(interval));
        }
        return new CandleTopic(interval, Count: 0, NewestTime: long.MinValue);
    }
}
