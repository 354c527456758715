using SpinPet.Core.Candles;

namespace SpinPet.Storage;

/// <summary>One page of a topic's candle history.</summary>
/// <param name="Candles">
/// The candles, in the order of the read: newest first for <see cref="SpinPetStore.ReadCandlesNewest"/>, oldest first
/// for <see cref="SpinPetStore.ReadCandlesFrom"/>.
/// </param>
/// <param name="HasMore">
/// Another candle lies beyond the last one returned, in the direction of the read and within its bounds: an older one
/// for a newest-first read, a newer one for a read from a time.
/// </param>
public readonly record struct CandlePage(IReadOnlyList<Candle> Candles, bool HasMore);
