namespace SpinPet.Core.Candles;

/// <summary>
/// One K-line bucket of one (mint, interval) topic. <see cref="Time"/> is the bucket start (unix seconds); prices
/// are SOL per token; <see cref="IsFinal"/> means the candle can no longer change (candles.md).
/// </summary>
public readonly record struct Candle(
    long Time,
    double Open,
    double High,
    double Low,
    double Close,
    double Volume,
    long UpdateCount,
    bool IsFinal);
