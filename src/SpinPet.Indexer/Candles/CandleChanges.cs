using SpinPet.Core.Candles;
using SpinPet.Core.Chain;
using SpinPet.Core.Events;
using SpinPet.Storage;

namespace SpinPet.Indexer.Candles;

/// <summary>
/// The candle rows one write changes: the latest state of every candle touched, each once, flagged new when the
/// candle opened within this write (so the store counts it once).
/// </summary>
internal sealed class CandleChanges
{
    private readonly Dictionary<CandleKey, CandleWrite> _touched = [];
    private readonly List<CandleUpdate> _updates = [];
    private readonly List<CandleWrite> _rows = [];
    private readonly List<LateCandleEvent> _late = [];

    public int Count => _touched.Count;

    /// <summary>The events the builder skipped because their candle was final, since the last <see cref="Clear"/>.</summary>
    public IReadOnlyList<LateCandleEvent> Late => _late;

    public void Clear()
    {
        _touched.Clear();
        _late.Clear();
    }

    /// <summary>
    /// Feeds one price event to the builder and records every candle it changed, and every interval it skipped the
    /// event for because that candle was final (a replay skips the intervals in <paramref name="skip"/>).
    /// </summary>
    public void Apply(CandleBuilder builder, ChainEvent chainEvent, ulong skip = 0)
    {
        _updates.Clear();
        ulong skippedAsFinal = builder.Apply(chainEvent, _updates, skip);
        for (int i = 0; skippedAsFinal != 0; i++, skippedAsFinal >>= 1)
        {
            if ((skippedAsFinal & 1) != 0)
            {
                _late.Add(new LateCandleEvent(chainEvent.Position, builder.Intervals[i].Seconds));
            }
        }
        foreach (var update in _updates)
        {
            var key = new CandleKey(update.Mint, update.Interval.Seconds, update.Candle.Time);
            bool isNew = update.Kind == CandleUpdateKind.Opened || (_touched.TryGetValue(key, out var earlier) && earlier.IsNew);
            // A candle superseded by a newer bucket can no longer change (events arrive in chain order and older
            // buckets are never reopened), so it is final the moment the next bucket opens.
            var candle = update.Kind == CandleUpdateKind.Closed ? CandleFinalizer.MarkFinal(update.Candle) : update.Candle;
            _touched[key] = new CandleWrite(update.Mint, update.Interval, candle, isNew);
        }
    }

    /// <summary>Records a candle the finalizer just marked final.</summary>
    public void Final(PublicKey mint, Interval interval, Candle candle) =>
        _touched[new CandleKey(mint, interval.Seconds, candle.Time)] = new CandleWrite(mint, interval, candle, IsNew: false);

    /// <summary>The rows, valid until the next call on this instance.</summary>
    public List<CandleWrite> Rows()
    {
        _rows.Clear();
        _rows.AddRange(_touched.Values);
        return _rows;
    }

    private readonly record struct CandleKey(PublicKey Mint, long Seconds, long Time);
}
