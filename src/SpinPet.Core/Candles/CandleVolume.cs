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
}
