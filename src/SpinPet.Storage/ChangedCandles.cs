namespace SpinPet.Storage;

/// <summary>
/// What <see cref="CandleStore.ReadChangedSince"/> found: the candles changed after a seq or not final, newest first;
/// <paramref name="Complete"/> is false when the limit cut the list short.
/// </summary>
public sealed record ChangedCandles(IReadOnlyList<StoredCandle> Candles, bool Complete);
