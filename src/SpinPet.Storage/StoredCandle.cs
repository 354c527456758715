using SpinPet.Core.Candles;

namespace SpinPet.Storage;

/// <summary>A stored candle with the seq of the write that last changed it (0: before positions were recorded).</summary>
public readonly record struct StoredCandle(Candle Candle, long UpdatedSeq);
