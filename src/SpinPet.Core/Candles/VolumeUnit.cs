namespace SpinPet.Core.Candles;

/// <summary><c>kline.volume_unit</c>: what a candle's <c>volume</c> sums (candles.md).</summary>
public enum VolumeUnit
{
    /// <summary>Volume is always 0, as the design document requires.</summary>
    None,

    /// <summary>Summed BuySellEvent <c>sol_amount</c>, in SOL.</summary>
    Sol,

    /// <summary>Summed BuySellEvent <c>token_amount</c>, in whole tokens.</summary>
    Token,
}
