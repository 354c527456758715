using SpinPet.Core.Events;

namespace SpinPet.Core.Candles;

/// <summary>What one event adds to a candle's volume. Only spot trades (BuySellEvent) count as volume.</summary>
public static class CandleVolume
{
    /// <summary>Lamports per SOL.</summary>
    public const double LamportsPerSol = 1e9;

    /// <summary>Base units per whole token: SpinPet mints have 6 decimals.</summary>
    public const double TokenBaseUnitsPerToken = 1e6;

    public static double Contribution(VolumeUnit unit, SpinPetEvent spinPetEvent)
    {
        if (spinPetEvent is not BuySellEvent trade)
        {
            return 0;
        }
        // ulong → double rounds once above 2^53 base units (9 million SOL); a division by a power of ten follows.
        return unit switch
        {
            VolumeUnit.Sol => trade.SolAmount / LamportsPerSol,
            VolumeUnit.Token => trade.TokenAmount / TokenBaseUnitsPerToken,
            _ => 0,
        };
    }

    /// <summary>
    /// <paramref name="volume"/> plus what <paramref name="spinPetEvent"/> adds, summed in base units (lamports,
    /// token base units) and divided once: adding the whole-unit doubles drifts (0.355033189 became
    /// 0.35503318899999997 after three trades). Exact while a candle's sum stays below 2^53 base units (9 million
    /// SOL); past that the nearest double, as before.
    /// </summary>
    public static double Add(VolumeUnit unit, double volume, SpinPetEvent spinPetEvent)
    {
        if (spinPetEvent is not BuySellEvent trade || unit == VolumeUnit.None)
        {
            return volume;
        }
        var (baseUnits, perWholeUnit) = unit == VolumeUnit.Sol
            ? (trade.SolAmount, LamportsPerSol)
            : (trade.TokenAmount, TokenBaseUnitsPerToken);
        // volume was itself an integer count of base units divided once, so rounding recovers that count exactly.
        double sum = Math.Round(volume * perWholeUnit) + baseUnits;
        return sum / perWholeUnit;
    }
}
