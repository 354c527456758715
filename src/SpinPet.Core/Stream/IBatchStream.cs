namespace SpinPet.Core.Stream;

/// <summary>
/// The spine between ingest and apply (docs/architecture.md, "The batch stream"): the ingest appends ordered batches,
/// the indexer applies them in order, each at a position (<see cref="StreamPosition"/>) persisted in the same write as
/// the batch's rows. In one process the stream is the indexer itself (append = apply, the position a counter); in a
/// cluster it is a JetStream stream that gateways apply. The contract, which both pass (the contract tests):
/// <list type="bullet">
/// <item>One appender at a time (the ingest loop; it also appends the finalizing clock). Batches are applied in the
/// order appended, each exactly once, with strictly increasing seqs within an epoch.</item>
/// <item>A batch's rows and its position are stored atomically: after a crash both are there or neither is, and a
/// restart continues the numbering in the same epoch.</item>
/// <item>Re-appending the batch last appended (same <see cref="StreamBatch.Id"/>) returns its position and applies
/// nothing; transactions already stored are skipped whatever batch brings them again.</item>
/// <item>A throw leaves the outcome unknown: the batch may be applied. Re-append the same batch, or resync from the
/// stored checkpoint (its transactions are then skipped as stored).</item>
/// </list>
/// </summary>
public interface IBatchStream
{
    /// <summary>The position of the newest batch applied (the epoch and the seq a resuming client compares with).</summary>
    StreamPosition Position { get; }

    /// <summary>Appends <paramref name="batch"/> and returns its position once it is applied (in one process) or stored.</summary>
    ValueTask<StreamPosition> AppendAsync(StreamBatch batch, CancellationToken cancellationToken = default);
}
