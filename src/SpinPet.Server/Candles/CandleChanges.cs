using SpinPet.Core.Candles;
using SpinPet.Core.Chain;
using SpinPet.Core.Events;
using SpinPet.Storage;

namespace SpinPet.Server.Candles;

/// <summary>
/// The candle rows one write changes: the latest state of every candle touched, each once, flagged new when the
/// candle opened within this write (so the store counts it once).
/// </summary>
internal sealed class CandleChanges
{
    private readonly Dictionary<CandleKey, CandleWrite> _touched = [];
    private readonly List<CandleUpdate> _updates = [];
    private readonly List<CandleWrite> _rows = [];

    public int Count => _touched.Count;

    public void Clear() => _touched.Clear();

    /// <summary>Feeds one price event to the builder and records every candle it changed.</summary>
    public void Apply(CandleBuilder builder, ChainEvent chainEvent)
    {
        _updates.Clear();
        builder.Apply(chainEvent, _updates);
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
