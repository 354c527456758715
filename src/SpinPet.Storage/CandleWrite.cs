using SpinPet.Core.Candles;
using SpinPet.Core.Chain;

namespace SpinPet.Storage;

/// <summary>
/// One candle row to store: the full state of candle (<paramref name="Mint"/>, <paramref name="Interval"/>,
/// <c>Candle.Time</c>), replacing what is stored under that key.
/// </summary>
/// <param name="IsNew">
/// The candle was opened by this update (it did not exist before). The topic's <c>total_count</c> grows only for new
/// candles, after one point lookup confirms the key is not stored yet; false skips the lookup, so it must only be
/// passed for a candle that was written before.
/// </param>
public readonly record struct CandleWrite(PublicKey Mint, Interval Interval, Candle Candle, bool IsNew);
