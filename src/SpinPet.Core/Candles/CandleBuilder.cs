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
    private readonly Dictionary<PublicKey, Slot[]> _topics = new(MintKeyComparer.Instance);

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

        ref var slots = ref CollectionsMarshal.GetValueRefOrAddDefault(_topics, mint, out _);
        slots ??= new Slot[_intervals.Length];

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
                    Volume = newest.Volume + volume,
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
            output.Add(new CandleUpdate(mint, interval, slot.Candle, CandleUpdateKind.Opened));
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

        ref var slots = ref CollectionsMarshal.GetValueRefOrAddDefault(_topics, mint, out _);
        slots ??= new Slot[_intervals.Length];
        slots[index] = new Slot { Candle = newest, Present = true };
    }

    public bool TryGetNewest(PublicKey mint, Interval interval, out Candle newest)
    {
        int index = IndexOf(interval);
        if (index >= 0 && _topics.TryGetValue(mint, out var slots) && slots[index].Present)
        {
            newest = slots[index].Candle;
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
        if (index >= 0 && _topics.TryGetValue(mint, out var slots))
        {
            ref var slot = ref slots[index];
            if (slot.Present && slot.Candle.Time == time && !slot.Candle.IsFinal)
            {
                slot.Candle = CandleFinalizer.MarkFinal(slot.Candle);
                finalCandle = slot.Candle;
                return true;
            }
        }
        finalCandle = default;
        return false;
    }

    /// <summary>
    /// Every topic's newest candle that is not final yet, for the finalizer. <see cref="MarkFinal"/> may be
    /// called while enumerating; <see cref="Apply"/> and <see cref="Seed"/> may not.
    /// </summary>
    public IEnumerable<TopicCandle> OpenCandles()
    {
        foreach (var (mint, slots) in _topics)
        {
            for (int i = 0; i < slots.Length; i++)
            {
                if (slots[i].Present && !slots[i].Candle.IsFinal)
                {
                    yield return new TopicCandle(mint, _intervals[i], slots[i].Candle);
                }
            }
        }
    }

    private static Candle Open(long bucket, double open, double price, double volume) =>
        new(bucket, open, Math.Max(open, price), Math.Min(open, price), price, volume, UpdateCount: 1, IsFinal: false);

    private int IndexOf(Interval interval) => Array.IndexOf(_intervals, interval);

    private struct Slot
    {
        public Candle Candle;
        public bool Present;
    }
}
