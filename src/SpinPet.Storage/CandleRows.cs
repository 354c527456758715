namespace SpinPet.Storage;

/// <summary>
/// What the candle callback of <see cref="SpinPetStore.Apply(System.Collections.Generic.IReadOnlyList{Core.Ingest.IngestedTransaction}, Core.Ingest.Checkpoint, System.Func{System.Collections.Generic.IReadOnlyList{Core.Ingest.IngestedTransaction}, CandleRows})"/>
/// adds to an event batch: the candle rows and the late-event markers of the transactions being stored.
/// </summary>
public readonly record struct CandleRows(IReadOnlyList<CandleWrite> Candles, IReadOnlyList<LateCandleEvent> Late);
