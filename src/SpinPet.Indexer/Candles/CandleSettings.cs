using System.Globalization;
using SpinPet.Core.Candles;
using SpinPet.Core.Events;

namespace SpinPet.Indexer.Candles;

/// <summary>
/// What decides the stored candles: the intervals built, <c>kline.volume_unit</c> and <c>solana.price_scale_exponent</c>.
/// <see cref="Fingerprint"/> is stored beside the candles (docs/storage.md, "Candle rebuild"): any difference at start
/// means the stored candles no longer match the configuration, so they are rebuilt.
/// </summary>
public sealed record CandleSettings(IReadOnlyList<Interval> Intervals, PriceScale Scale, VolumeUnit VolumeUnit)
{
    /// <summary>E.g. <c>intervals=s1,s30,m5;volume_unit=none;price_scale_exponent=28</c>; intervals by length.</summary>
    public string Fingerprint { get; } = string.Create(CultureInfo.InvariantCulture,
        $"intervals={string.Join(',', Intervals.OrderBy(i => i.Seconds).Select(i => i.Name))};volume_unit={VolumeUnit.ToString().ToLowerInvariant()};price_scale_exponent={Scale.Exponent}");
}
