using SpinPet.Core.Chain;

namespace SpinPet.Core.Candles;

/// <summary>A topic's newest candle, as <see cref="CandleBuilder.OpenCandles"/> lists it for the finalizer.</summary>
public readonly record struct TopicCandle(PublicKey Mint, Interval Interval, Candle Candle);
