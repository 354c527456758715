using SpinPet.Core.Ingest;

namespace SpinPet.Core.Stream;

/// <summary>
/// One batch of the stream the ingest appends and the indexer applies, in order: decoded transactions with the
/// checkpoint they reach (<see cref="Of"/>), or a clock that finalizes candles (<see cref="FinalizeAt"/>), or both.
/// Applying a batch stores its new transactions first, then finalizes every open candle whose bucket ended by
/// <see cref="FinalizeBy"/>, all in one write with the batch's position.
/// </summary>
/// <param name="Transactions">In chain order; those already stored are skipped when applied.</param>
/// <param name="Checkpoint">The newest transaction the ingest has processed once this batch is applied; null leaves it.</param>
/// <param name="FinalizeBy">
/// Unix seconds: every open candle whose bucket ended at or before it becomes final (the clock the ingest finalizes
/// by, <c>Candles.CandleFinalizer.FinalizeBy</c>); null finalizes nothing.
/// </param>
/// <param name="Id">
/// The batch's identity for a retried append: re-appending the batch last applied, by this id, returns its position
/// and applies nothing. Unique per batch built (a new batch gets a new id; a retry reuses the instance).
/// </param>
public sealed record StreamBatch(IReadOnlyList<IngestedTransaction> Transactions, Checkpoint? Checkpoint, long? FinalizeBy, string Id)
{
    /// <summary>Transactions and the checkpoint they reach.</summary>
    public static StreamBatch Of(IReadOnlyList<IngestedTransaction> transactions, Checkpoint? checkpoint)
    {
        ArgumentNullException.ThrowIfNull(transactions);
        return new StreamBatch(transactions, checkpoint, FinalizeBy: null, NewId());
    }

    /// <summary>A clock alone: finalize every open candle whose bucket ended by <paramref name="finalizeBy"/> (unix seconds).</summary>
    public static StreamBatch FinalizeAt(long finalizeBy) => new([], Checkpoint: null, finalizeBy, NewId());

    private static string NewId() => Guid.NewGuid().ToString("N");
}
