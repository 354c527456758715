using SpinPet.Core.Chain;

namespace SpinPet.Core.Candles;

/// <summary>The full state of one candle of topic (<paramref name="Mint"/>, <paramref name="Interval"/>) after a change.</summary>
public readonly record struct CandleUpdate(PublicKey Mint, Interval Interval, Candle Candle, CandleUpdateKind Kind);
