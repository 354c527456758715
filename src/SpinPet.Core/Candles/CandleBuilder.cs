using System.Runtime.InteropServices;
using SpinPet.Core.Chain;
using SpinPet.Core.Events;

namespace SpinPet.Core.Candles;

/// <summary>
/// Builds the candles of every (mint, interval) topic from the ordered event stream (candles.md). It holds only
/// each topic's newest candle; a superseded one is reported as <see cref="CandleUpdateKind.Closed"/> and
/// forgotten. Not thread-safe: one owner (the ingest loop) applies events, seeds and marks candles final.
/// </summary>
/// <remarks>
/// Late events, two kinds. (1) Solana lets a block's time go backwards in rare cases, so an event may belong to a
/// bucket older than its topic's newest candle. Such an event is skipped for that interval (and counted in
/// <see cref="LateEvents"/>): an older candle is never reopened or altered. This rule depends only on the events
/// before it in chain order, so a replay of the event log applies it identically. (2) An event in the bucket of a
/// newest candle already marked final (by the chain or wall clock) is skipped too; that depends on when the
/// finalizer ran, which a replay cannot know, so <see cref="Apply(ChainEvent, List{CandleUpdate}, ulong)"/> reports
/// these skips for the caller to store, and a replay passes them back as a skip mask. With both, and with
/// <see cref="Seed"/> restoring each topic's newest candle after a restart, candles stay a pure function of the
/// ordered event list. Duplicates are the caller's job (the event log is idempotent): applying an event twice counts
/// it twice.
/// </remarks>
public sealed class CandleBuilder
{
    /// <summary>Skip masks are one bit per interval in a <see cref="ulong"/>.</summary>
    public const int MaxIntervals = 64;

    private readonly Interval[] _intervals;
    private readonly VolumeUnit _volumeUnit;
    private readonly PriceScale _scale;

    // One lookup per event serves every interval: the value holds the mint's newest candle per interval index.
    private readonly Dictionary<PublicKey, Topic> _topics = new(MintKeyComparer.Instance);

    // The mints with at least one newest candle not final yet (Topic.Open ≠ 0), so the finalizer's sweep costs the open
    // candles, not every topic ever seen: with 100,000 quiet mints it visits the few that traded since the last sweep.
    // A mint joins when a candle opens after all of its candles were final (one lookup then, none per update).
    private readonly Dictionary<PublicKey, Topic> _open = new(MintKeyComparer.Instance);

    public CandleBuilder(IEnumerable<Interval> intervals, PriceScale scale, VolumeUnit volumeUnit)
    {
        ArgumentNullException.ThrowIfNull(intervals);
        _intervals = [.. intervals];
        if (_intervals.Length is 0 or > MaxIntervals)
        {
            throw new ArgumentException($"Between 1 and {MaxIntervals} intervals are needed, not {_intervals.Length}.", nameof(intervals));
        }
        for (int i = 0; i < _intervals.Length; i++)
        {
            if (_intervals[i].Seconds <= 0)
            {
                throw new ArgumentException("default(Interval) is not an interval.", nameof(intervals));
            }
            if (Array.IndexOf(_intervals, _intervals[i]) != i)
            {
                throw new ArgumentException($"Interval {_intervals[i]} is listed twice.", nameof(intervals));
            }
        }
        if (!(scale.Divisor > 0))
        {
            throw new ArgumentException("default(PriceScale) has no divisor; use PriceScale.Default.", nameof(scale));
        }
        if (!Enum.IsDefined(volumeUnit))
        {
            throw new ArgumentOutOfRangeException(nameof(volumeUnit), volumeUnit, "Unknown volume unit.");
        }
        _scale = scale;
        _volumeUnit = volumeUnit;
        Intervals = Array.AsReadOnly(_intervals);
    }

    /// <summary>The intervals built, in the order updates for one event are reported.</summary>
    public IReadOnlyList<Interval> Intervals { get; }

    /// <summary>
    /// (event, interval) pairs skipped: the event was older than the topic's newest candle, that candle was final, or
    /// the caller's skip mask said so.
    /// </summary>
    public long LateEvents { get; private set; }

    /// <summary>Mints with at least one candle in memory.</summary>
    public int MintCount => _topics.Count;

    /// <summary>
    /// Applies one event, in chain order. A price event appends, per interval in <see cref="Intervals"/> order,
    /// the superseded candle (<see cref="CandleUpdateKind.Closed"/>, unless it is already final) and then the
    /// changed one (<see cref="CandleUpdateKind.Opened"/> or <see cref="CandleUpdateKind.Updated"/>). Any other
    /// event appends nothing. The caller reuses <paramref name="output"/>, so a steady state allocates nothing.
    /// </summary>
    /// <param name="skip">
    /// Bit <c>i</c> set: skip the event for <c>Intervals[i]</c> (a replay passing back what the live run reported).
    /// </param>
    /// <returns>
    /// Bit <c>i</c> set: the event was skipped for <c>Intervals[i]</c> because that candle of its bucket was final —
    /// the skip a replay cannot reproduce on its own, so the caller stores it with the event.
    /// </returns>
    public ulong Apply(ChainEvent chainEvent, List<CandleUpdate> output, ulong skip = 0)
    {
        ArgumentNullException.ThrowIfNull(chainEvent);
        ArgumentNullException.ThrowIfNull(output);

        var ev = chainEvent.Event;
        if (ev.LatestPrice is not { } raw)
        {
            return 0;
        }
        ulong skippedAsFinal = 0;
        double price = _scale.ToSol(raw);
        double volume = CandleVolume.Contribution(_volumeUnit, ev);
        var mint = ev.MintAccount;
        long blockTime = chainEvent.BlockTime;

        ref var topic = ref CollectionsMarshal.GetValueRefOrAddDefault(_topics, mint, out _);
        topic ??= new Topic(_intervals.Length);
        var slots = topic.Slots;
        ulong opened = 0;

        for (int i = 0; i < _intervals.Length; i++)
        {
            if ((skip & (1UL << i)) != 0)
            {
                LateEvents++;
                continue;
            }
            var interval = _intervals[i];
            long bucket = interval.BucketStart(blockTime);
            ref var slot = ref slots[i];
            if (!slot.Present)
            {
                slot.Present = true;
                slot.Candle = Open(bucket, price, price, volume);
                opened |= 1UL << i;
                output.Add(new CandleUpdate(mint, interval, slot.Candle, CandleUpdateKind.Opened));
                continue;
            }

            var newest = slot.Candle;
            if (bucket < newest.Time)
            {
                LateEvents++;
                continue;
            }
            if (bucket == newest.Time && newest.IsFinal)
            {
                LateEvents++;
                skippedAsFinal |= 1UL << i;
                continue;
            }
            if (bucket == newest.Time)
            {
                slot.Candle = newest with
                {
                    High = Math.Max(newest.High, price),
                    Low = Math.Min(newest.Low, price),
                    Close = price,
                    Volume = CandleVolume.Add(_volumeUnit, newest.Volume, ev),
                    UpdateCount = newest.UpdateCount + 1,
                };
                output.Add(new CandleUpdate(mint, interval, slot.Candle, CandleUpdateKind.Updated));
                continue;
            }

            // A new bucket: the chart stays continuous, the new candle opens at the previous close.
            if (!newest.IsFinal)
            {
                output.Add(new CandleUpdate(mint, interval, newest, CandleUpdateKind.Closed));
            }
            slot.Candle = Open(bucket, newest.Close, price, volume);
            opened |= 1UL << i;
            output.Add(new CandleUpdate(mint, interval, slot.Candle, CandleUpdateKind.Opened));
        }
        if (opened != 0)
        {
            MarkOpen(mint, topic, opened);
        }
        return skippedAsFinal;
    }

    /// <summary>
    /// Restores a topic's newest candle (as stored) after a restart, before events after it are applied, so that
    /// continuing gives exactly what an uninterrupted run gives. Replaces whatever the topic held.
    /// </summary>
    public void Seed(PublicKey mint, Interval interval, Candle newest)
    {
        int index = IndexOf(interval);
        if (index < 0)
        {
            throw new ArgumentException($"Interval {interval} is not built here.", nameof(interval));
        }
        if (interval.BucketStart(newest.Time) != newest.Time)
        {
            throw new ArgumentException($"Time {newest.Time} is not a bucket start of {interval}.", nameof(newest));
        }
        if (newest.UpdateCount < 1)
        {
            throw new ArgumentException("A stored candle has at least one update.", nameof(newest));
        }

        ref var topic = ref CollectionsMarshal.GetValueRefOrAddDefault(_topics, mint, out _);
        topic ??= new Topic(_intervals.Length);
        topic.Slots[index] = new Slot { Candle = newest, Present = true };
        if (newest.IsFinal)
        {
            MarkClosed(mint, topic, index);
        }
        else
        {
            MarkOpen(mint, topic, 1UL << index);
        }
    }

    public bool TryGetNewest(PublicKey mint, Interval interval, out Candle newest)
    {
        int index = IndexOf(interval);
        if (index >= 0 && _topics.TryGetValue(mint, out var topic) && topic.Slots[index].Present)
        {
            newest = topic.Slots[index].Candle;
            return true;
        }
        newest = default;
        return false;
    }

    /// <summary>
    /// Marks the topic's newest candle final if it is the one starting at <paramref name="time"/>; from then on an
    /// event for that bucket is late. True only when the candle turns final now, so the caller pushes it once.
    /// </summary>
    public bool MarkFinal(PublicKey mint, Interval interval, long time, out Candle finalCandle)
    {
        int index = IndexOf(interval);
        if (index >= 0 && _topics.TryGetValue(mint, out var topic))
        {
            ref var slot = ref topic.Slots[index];
            if (slot.Present && slot.Candle.Time == time && !slot.Candle.IsFinal)
            {
                slot.Candle = CandleFinalizer.MarkFinal(slot.Candle);
                MarkClosed(mint, topic, index);
                finalCandle = slot.Candle;
                return true;
            }
        }
        finalCandle = default;
        return false;
    }

    /// <summary>
    /// Every topic's newest candle that is not final yet, for the finalizer: walks only the mints that have one.
    /// <see cref="MarkFinal"/> may be called while enumerating; <see cref="Apply"/> and <see cref="Seed"/> may not.
    /// </summary>
    public IEnumerable<TopicCandle> OpenCandles()
    {
        // Removing entries while enumerating a Dictionary is allowed (MarkFinal of a mint's last open candle).
        foreach (var (mint, topic) in _open)
        {
            var slots = topic.Slots;
            for (int i = 0; i < slots.Length; i++)
            {
                if ((topic.Open & (1UL << i)) != 0 && slots[i].Present && !slots[i].Candle.IsFinal)
                {
                    yield return new TopicCandle(mint, _intervals[i], slots[i].Candle);
                }
            }
        }
    }

    private void MarkOpen(PublicKey mint, Topic topic, ulong intervals)
    {
        if (topic.Open == 0)
        {
            _open[mint] = topic;
        }
        topic.Open |= intervals;
    }

    private void MarkClosed(PublicKey mint, Topic topic, int index)
    {
        if (topic.Open == 0)
        {
            return;
        }
        topic.Open &= ~(1UL << index);
        if (topic.Open == 0)
        {
            _open.Remove(mint);
        }
    }

    private static Candle Open(long bucket, double open, double price, double volume) =>
        new(bucket, open, Math.Max(open, price), Math.Min(open, price), price, volume, UpdateCount: 1, IsFinal: false);

    private int IndexOf(Interval interval) => Array.IndexOf(_intervals, interval);

    /// <summary>A mint's newest candle per interval index, and which of them are not final (bit per index).</summary>
    private sealed class Topic(int intervals)
    {
        public readonly Slot[] Slots = new Slot[intervals];
        public ulong Open;
    }

    private struct Slot
    {
        public Candle Candle;
        public bool Present;
    }
}
