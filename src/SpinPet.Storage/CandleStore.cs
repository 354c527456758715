using System.Buffers.Binary;
using RocksDbSharp;
using SpinPet.Core.Candles;
using SpinPet.Core.Chain;

namespace SpinPet.Storage;

/// <summary>
/// Candles (<c>candles</c>, <c>candle_topics</c>, <c>candle_late_events</c>): history pages, counts, seeding reads, and
/// staging into a write. Every row carries the seq of the write that last changed it (updated_seq). Layouts and read
/// costs: docs/storage.md, "Candles".
/// </summary>
public sealed class CandleStore
{
    /// <summary>A history page holds ≤ 1,000 candles (protocol limit); a larger limit must not pre-allocate for it.</summary>
    private const int MaxPageCapacity = 1024;

    /// <summary>Late-event key: the event's position ‖ the interval's length in seconds (u32), both big-endian.</summary>
    private const int LateEventKeyLength = Keys.PositionLength + 4;

    private readonly SpinPetStore _store;
    private readonly ColumnFamilyHandle _candles;
    private readonly ColumnFamilyHandle _topics;
    private readonly ColumnFamilyHandle _late;
    private readonly CandleTopicCounts _counts;
    private long _candleKeysRead;

    internal CandleStore(SpinPetStore store)
    {
        _store = store;
        _candles = store.Family(ColumnFamilyNames.Candles);
        _topics = store.Family(ColumnFamilyNames.CandleTopics);
        _late = store.Family(ColumnFamilyNames.CandleLateEvents);
        _counts = CandleTopicCounts.Load(store.Db, _candles, _topics);
    }

    /// <summary>
    /// Keys visited by the candle range reads since open (each returned candle plus the look-ahead for has_more).
    /// Tests use it to show that a page costs <c>limit + 1</c> keys whatever the number of stored candles.
    /// </summary>
    internal long CandleKeysRead => Interlocked.Read(ref _candleKeysRead);

    /// <summary>
    /// Stages candle rows (each replacing what is stored under its key; a later row for the same key wins) with their
    /// topic rows, recorded as changed by the write's seq. An interval that cannot be stored throws.
    /// </summary>
    public void Stage(StoreWrite write, IReadOnlyList<CandleWrite> candles)
    {
        ArgumentNullException.ThrowIfNull(write);
        ArgumentNullException.ThrowIfNull(candles);
        write.ThrowIfClosed();
        _counts.Stage(write, candles);
    }

    /// <summary>Stages the late-event markers of events the live builder skipped because their candle was final.</summary>
    public void StageLateEvents(StoreWrite write, IReadOnlyList<LateCandleEvent> late)
    {
        ArgumentNullException.ThrowIfNull(write);
        ArgumentNullException.ThrowIfNull(late);
        Span<byte> key = stackalloc byte[LateEventKeyLength];
        for (int i = 0; i < late.Count; i++)
        {
            if (late[i].IntervalSeconds is <= 0 or > uint.MaxValue)
            {
                throw new ArgumentException($"A late event's interval of {late[i].IntervalSeconds} s cannot be stored.", nameof(late));
            }
            Keys.WritePosition(key, late[i].Position);
            BinaryPrimitives.WriteUInt32BigEndian(key[Keys.PositionLength..], (uint)late[i].IntervalSeconds);
            write.Put(key, [], _late);
        }
    }

    /// <summary>
    /// Stages the removal of every candle and topic row (two range deletions, whatever the number of rows): a
    /// concurrent read sees all candles or none. Late-event markers stay.
    /// </summary>
    public void StageDeleteAll(StoreWrite write)
    {
        ArgumentNullException.ThrowIfNull(write);
        _counts.StageDeleteAll(write);
    }

    /// <summary>How many candles the topic has stored (<c>total_count</c>): an in-memory lookup.</summary>
    public long CountCandles(PublicKey mint, Interval interval) =>
        _counts.TryGetTopic(new CandleTopicId(mint, CandleKeys.Seconds(interval)), out var topic) ? topic.Count : 0;

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
        var page = ReadCandlesNewest(mint, interval, limit: 1);
        candle = page.Candles.Count == 1 ? page.Candles[0] : default;
        return page.Candles.Count == 1;
    }

    /// <summary>
    /// What a client that resumes at <paramref name="seq"/> lacks (protocol.md, "Position and resume"): the current
    /// state of every candle of the topic that changed after that seq or is not final, newest first, at most
    /// <paramref name="limit"/>. One bounded SeekForPrev and a walk that stops at the first final candle changed at or
    /// before <paramref name="seq"/>: a candle turns final at the latest in the batch that opens the next one, and never
    /// changes after, so among final candles updated_seq does not increase from newest to oldest and every older candle
    /// is final and older still. <see cref="ChangedCandles.Complete"/> is false when the limit stopped the walk.
    /// </summary>
    public ChangedCandles ReadChangedSince(PublicKey mint, Interval interval, long seq, int limit)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(limit);
        uint seconds = CandleKeys.Seconds(interval);
        var query = CandleQuery.Newest(before: null, to: null);
        _store.EnterReader();
        try
        {
            byte[] upper = query.UpperBound(mint, seconds);
            var options = new ReadOptions().SetIterateLowerBound(query.LowerBound(mint, seconds)).SetIterateUpperBound(upper);
            using var iterator = _store.Db.NewIterator(_candles, options);
            var changed = new List<StoredCandle>(Math.Min(limit, MaxPageCapacity));
            for (iterator.SeekForPrev(upper.AsSpan(0, CandleKeys.CandleLength)); iterator.Valid(); iterator.Prev())
            {
                var key = iterator.GetKeySpan();
                CandleKeys.CheckCandleKey(key);
                var candle = CandleValues.ReadCandle(key, iterator.GetValueSpan());
                long updated = CandleValues.ReadUpdatedSeq(key, iterator.GetValueSpan());
                if (candle.IsFinal && updated <= seq)
                {
                    return new ChangedCandles(changed, Complete: true);
                }
                if (changed.Count == limit)
                {
                    return new ChangedCandles(changed, Complete: false);
                }
                changed.Add(new StoredCandle(candle, updated));
            }
            Native.Instance.rocksdb_iter_get_error(iterator.Handle);
            return new ChangedCandles(changed, Complete: true);
        }
        finally
        {
            _store.ExitReader();
        }
    }

    /// <summary>
    /// The newest stored candle of every topic, in key order (mint, then interval length), to seed the candle builder
    /// at start: one pass over <c>candle_topics</c> and one SeekForPrev per topic, on one snapshot.
    /// </summary>
    public IEnumerable<TopicCandle> ReadNewestCandles()
    {
        _store.ThrowIfDisposed();
        return CandleScans.Newest(_store, _topics, _candles);
    }

    /// <summary>Every stored candle in key order (mint, interval length, time), on one snapshot: for the rebuild and its checks.</summary>
    public IEnumerable<TopicCandle> ReadAllCandles()
    {
        _store.ThrowIfDisposed();
        return CandleScans.All(_store, _topics, _candles);
    }

    /// <summary>Every late-event marker, in chain order (then interval length): a handful, read once per rebuild.</summary>
    public IEnumerable<LateCandleEvent> ReadLateCandleEvents()
    {
        _store.ThrowIfDisposed();
        return ScanLateCandleEvents();
    }

    internal void Publish() => _counts.Publish();

    internal void Discard() => _counts.Discard();

    private IEnumerable<LateCandleEvent> ScanLateCandleEvents()
    {
        _store.EnterReader();
        try
        {
            using var iterator = _store.Db.NewIterator(_late);
            for (iterator.SeekToFirst(); iterator.Valid(); iterator.Next())
            {
                var key = iterator.GetKeySpan();
                if (key.Length != LateEventKeyLength)
                {
                    throw StoreCorruptedException.Row(ColumnFamilyNames.CandleLateEvents, key, $"a late-event key is {LateEventKeyLength} bytes, not {key.Length}");
                }
                var position = Keys.ReadPosition(ColumnFamilyNames.CandleLateEvents, key[..Keys.PositionLength]);
                yield return new LateCandleEvent(position, BinaryPrimitives.ReadUInt32BigEndian(key[Keys.PositionLength..]));
            }
            Native.Instance.rocksdb_iter_get_error(iterator.Handle);
        }
        finally
        {
            _store.ExitReader();
        }
    }

    private CandlePage ReadCandles(in PublicKey mint, Interval interval, CandleQuery query, int skip, int limit, bool newestFirst)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(skip);
        ArgumentOutOfRangeException.ThrowIfNegative(limit);
        uint seconds = CandleKeys.Seconds(interval);
        _store.EnterReader();
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
            using var iterator = _store.Db.NewIterator(_candles, options);
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
            _store.ExitReader();
        }
    }
}
