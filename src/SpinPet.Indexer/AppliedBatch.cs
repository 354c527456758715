using SpinPet.Core.Ingest;
using SpinPet.Core.Stream;
using SpinPet.Storage;

namespace SpinPet.Indexer;

/// <summary>
/// What one applied batch changed, announced after its write (<see cref="IAppliedBatchListener"/>). The lists belong to
/// the indexer and are valid until it applies the next batch.
/// </summary>
/// <param name="Position">The batch's position, stored with its rows.</param>
/// <param name="Batch">The batch as appended.</param>
/// <param name="Stored">Its new, successful transactions (duplicates and failed ones left out), in chain order as given.</param>
/// <param name="Candles">The candles it changed, each once (its latest state), unordered.</param>
/// <param name="Result">What the event log stored.</param>
public sealed record AppliedBatch(
    StreamPosition Position, StreamBatch Batch, IReadOnlyList<IngestedTransaction> Stored, IReadOnlyList<CandleWrite> Candles, ApplyResult Result);
