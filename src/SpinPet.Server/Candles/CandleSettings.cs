using System.Globalization;
using SpinPet.Core.Candles;
using SpinPet.Core.Events;

namespace SpinPet.Server.Candles;

/// <summary>
/// The settings that decide what the stored candles hold, as one comparable text stored beside them
/// (docs/storage.md, "Candle rebuild"): the intervals built, <c>kline.volume_unit</c> and
/// <c>solana.price_scale_exponent</c>. Any difference at start means the stored candles no longer match the
/// configuration, so they are rebuilt.
/// </summary>
internal static class CandleSettings
{
    /// <summary>E.g. <c>intervals=s1,s30,m5;volume_unit=none;price_scale_exponent=28</c>; intervals by length.</summary>
    public static string Fingerprint(IEnumerable<Interval> intervals, PriceScale scale, VolumeUnit volumeUnit) =>
        string.Create(CultureInfo.InvariantCulture,
            $"intervals={string.Join(',', intervals.OrderBy(i => i.Seconds).Select(i => i.Name))};volume_unit={volumeUnit.ToString().ToLowerInvariant()};price_scale_exponent={scale.Exponent}");
}
