using SpinPet.Core.Candles;

namespace SpinPet.Storage;

/// <summary>
/// A <c>candle_topics</c> row: the interval's name (keys hold only its length), how many candles the topic has
/// stored (<c>total_count</c> without counting keys) and its newest candle's time.
/// </summary>
internal readonly record struct CandleTopic(Interval Interval, long Count, long NewestTime);
