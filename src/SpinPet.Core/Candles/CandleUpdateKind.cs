namespace SpinPet.Core.Candles;

/// <summary>What happened to the candle a <see cref="CandleUpdate"/> carries.</summary>
public enum CandleUpdateKind : byte
{
    /// <summary>The event changed the topic's newest candle.</summary>
    Updated,

    /// <summary>The event opened a new bucket: this candle is now the topic's newest.</summary>
    Opened,

    /// <summary>
    /// A newer bucket superseded this candle (the state it had after its last update). The builder forgets it and
    /// never changes it again; it is not final yet: the finalizer decides when (candles.md).
    /// </summary>
    Closed,
}
