using SpinPet.Core.Candles;
using SpinPet.Core.Events;
using SpinPet.Core.Ingest;
using SpinPet.Core.Tests.Candles;
using SpinPet.Storage;

namespace SpinPet.Indexer.Tests.Candles;

/// <summary>
/// Candles as comparable rows: what candles.md → Determinism promises (time, OHLC, volume, update_count), not
/// <c>is_final</c>, which depends on when the finalizer ran. Sorted by mint, interval length and time.
/// </summary>
internal sealed record CandleRow(string Mint, long Seconds, long Time, double Open, double High, double Low, double Close, double Volume, long UpdateCount)
{
    public static List<CandleRow> Stored(SpinPetStore store) =>
        Sorted(store.Candles.ReadAllCandles().Select(c => Of(c.Mint.ToString(), c.Interval.Seconds, c.Candle)));

    /// <summary>The independent reference (ReferenceCandles) over the successful transactions, in chain order.</summary>
    public static List<CandleRow> Reference(IEnumerable<IngestedTransaction> transactions, IReadOnlyList<Interval> intervals, PriceScale scale, VolumeUnit unit)
    {
        var seconds = intervals.ToDictionary(i => i.Name, i => i.Seconds);
        var candles = ReferenceCandles.Build(RandomChain.Events(transactions), intervals, scale.Exponent, unit, out _);
        return Sorted(candles.Select(pair => Of(pair.Key.Mint.ToString(), seconds[pair.Key.Interval], pair.Value)));
    }

    /// <summary>total_count of every topic, as the store keeps it.</summary>
    public static List<(string Mint, long Seconds, long Count)> Counts(SpinPetStore store, IReadOnlyList<Interval> intervals) =>
        [.. store.Candles.ReadAllCandles().Select(c => c.Mint).Distinct()
            .SelectMany(mint => intervals.Select(i => (mint.ToString(), i.Seconds, store.Candles.CountCandles(mint, i))))
            .Where(c => c.Item3 > 0)
            .OrderBy(c => c.Item1, StringComparer.Ordinal).ThenBy(c => c.Seconds)];

    /// <summary>The number of candles of every topic in <paramref name="rows"/>.</summary>
    public static List<(string Mint, long Seconds, long Count)> Counts(IEnumerable<CandleRow> rows) =>
        [.. rows.GroupBy(r => (r.Mint, r.Seconds)).Select(g => (g.Key.Mint, g.Key.Seconds, (long)g.Count()))
            .OrderBy(c => c.Mint, StringComparer.Ordinal).ThenBy(c => c.Seconds)];

    private static CandleRow Of(string mint, long seconds, Candle c) =>
        new(mint, seconds, c.Time, c.Open, c.High, c.Low, c.Close, c.Volume, c.UpdateCount);

    private static List<CandleRow> Sorted(IEnumerable<CandleRow> rows) =>
        [.. rows.OrderBy(r => r.Mint, StringComparer.Ordinal).ThenBy(r => r.Seconds).ThenBy(r => r.Time)];
}
