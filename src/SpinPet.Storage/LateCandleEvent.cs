using SpinPet.Core.Chain;

namespace SpinPet.Storage;

/// <summary>
/// A price event the live candle builder skipped for one interval because that interval's candle of the event's
/// bucket was already final. Stored with the event, so a rebuild from the event log skips it too (candles.md →
/// Determinism); <paramref name="IntervalSeconds"/> is the interval's length.
/// </summary>
public readonly record struct LateCandleEvent(ChainPosition Position, long IntervalSeconds);
