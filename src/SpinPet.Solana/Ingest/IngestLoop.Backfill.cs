using System.Diagnostics;
using Microsoft.Extensions.Logging;
using SpinPet.Core.Chain;
using SpinPet.Core.Ingest;
using SpinPet.Solana.Rpc;

namespace SpinPet.Solana.Ingest;

/// <summary>The backfill: everything the node lists as newer than the checkpoint, applied oldest first.</summary>
internal sealed partial class IngestLoop
{
    private const int PageSize = 1000;

    private readonly LogThrottle _slotMismatchLog = new(TimeSpan.FromSeconds(10));

    private async Task BackfillAsync(CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        status.BackfillStarted();
        _tally = default;
        var checkpoint = sink.ReadCheckpoint();
        _sequencer = new TxSequencer(checkpoint);
        var signatures = await ListNewSignaturesAsync(checkpoint, ct);
        status.BackfillFound(signatures.Count);

        // getTransaction calls run ahead of the applier in a window; they are awaited (and applied) in order.
        int window = options.RpcMaxConcurrency;
        var inFlight = new Queue<(SignatureInfo Info, Task<TransactionInfo?> Fetch)>();
        var batch = new List<IngestedTransaction>(BatchSize);
        int next = 0;
        long applied = 0;
        while (next < signatures.Count || inFlight.Count > 0)
        {
            while (inFlight.Count < window && next < signatures.Count)
            {
                var info = signatures[next++];
                inFlight.Enqueue((info, info.Failed ? Task.FromResult<TransactionInfo?>(null) : FetchAsync(info, ct)));
            }
            var (entry, fetch) = inFlight.Dequeue();
            var transaction = await fetch;
            var signature = TxSignature.Parse(entry.Signature);
            // FetchAsync hands out whole answers only: meta present, logs present unless failed, the listed slot.
            if (entry.Failed || transaction!.Meta!.Failed)
            {
                batch.Add(Build(signature, entry.Slot, entry.BlockTime ?? 0, failed: true, []));
            }
            else
            {
                var slot = entry.Slot;
                // The listing's block time only when the transaction has none, and only within the rule (getBlockTime
                // answers are checked by the client).
                long? listed = entry.BlockTime is { } time && BlockTimeRule.Check(time, rpc.Time.GetUtcNow()) is null ? time : null;
                long blockTime = blockTimes.Settle(slot, transaction.BlockTime ?? listed ?? await blockTimes.GetAsync(slot));
                batch.Add(Build(signature, slot, blockTime, failed: false, transaction.Meta.LogMessages!));
            }
            if (batch.Count >= BatchSize)
            {
                applied += Commit(batch);
                batch.Clear();
            }
        }
        applied += Commit(batch);
        status.BackfillEnded();
        if (signatures.Count > 0)
        {
            LogBackfilled(logger, signatures.Count, applied, clock.ElapsedMilliseconds);
        }
    }

    /// <summary>Pages backwards from the newest signature to the checkpoint; returns the new ones oldest first.</summary>
    private async Task<List<SignatureInfo>> ListNewSignaturesAsync(Checkpoint? checkpoint, CancellationToken ct)
    {
        var found = new List<SignatureInfo>();
        string? until = checkpoint?.Signature.ToString();
        string? before = null;
        // `until` stops at the checkpoint; the slot bound also stops a node that has pruned that signature.
        ulong floor = checkpoint?.Slot ?? options.BackfillSinceSlot;
        while (true)
        {
            var page = await rpc.GetSignaturesForAddressAsync(options.ProgramId, PageSize, before, until, ct);
            // Only an empty page ends the listing. A short page is no proof of the end: real nodes answer short
            // mid-history (at the local-ledger/Bigtable boundary, for one), and stopping there would move the
            // checkpoint past every older signature never listed. The end costs one extra, empty request.
            bool reachedEnd = page.Length == 0;
            foreach (var entry in page)
            {
                if (entry.Slot < floor)
                {
                    reachedEnd = true;
                    break;
                }
                if (TxSignature.TryParse(entry.Signature, out var signature) && !sink.Contains(signature))
                {
                    found.Add(entry);
                }
            }
            status.BackfillFound(found.Count);
            if (reachedEnd)
            {
                break;
            }
            if (page[^1].Signature == before)
            {
                // A node that ignores `before` answers the same page forever; only an empty page ends the loop.
                throw new RpcUnavailableException($"getSignaturesForAddress: the node repeated the page before {before}");
            }
            before = page[^1].Signature;
        }
        found.Reverse();
        return found;
    }

    /// <summary>
    /// The listed transaction, whole (the RPC client refuses answers without meta or logs, for another signature, or
    /// with a block time that breaks <see cref="BlockTimeRule"/>) and in the slot it was listed in.
    /// </summary>
    private async Task<TransactionInfo?> FetchAsync(SignatureInfo listed, CancellationToken ct)
    {
        // A node that listed a signature may answer null for a moment (another replica lags): ask again. An answer in
        // another slot than the listing's means one of the two is wrong: ask again too, and after 10 tries fail the
        // backfill, whose retry lists again.
        var backoff = new Backoff(TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(2));
        for (int attempt = 1; ; attempt++)
        {
            var transaction = await rpc.GetTransactionAsync(listed.Signature, ct);
            if (transaction is not null && transaction.Slot == listed.Slot)
            {
                return transaction;
            }
            if (transaction is not null)
            {
                status.Rpc.Garbage();
                if (_slotMismatchLog.TryEnter(out long heldBack))
                {
                    LogSlotMismatch(logger, listed.Signature, transaction.Slot, listed.Slot, heldBack);
                }
            }
            if (attempt >= 10)
            {
                throw new RpcUnavailableException(transaction is null
                    ? $"getTransaction returned null for {listed.Signature}, which the node listed"
                    : $"getTransaction answered slot {transaction.Slot} for {listed.Signature}, which the node listed in slot {listed.Slot}");
            }
            await Task.Delay(backoff.Next(), ct);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "getTransaction answered slot {Answered} for {Signature}, listed in slot {Listed}: counted as garbage, asking again ({HeldBack} more in the last 10 s not logged)")]
    private static partial void LogSlotMismatch(ILogger logger, string signature, ulong answered, ulong listed, long heldBack);

    [LoggerMessage(Level = LogLevel.Information, Message = "Backfill: {Found} new transactions listed, {Applied} applied in {ElapsedMs} ms")]
    private static partial void LogBackfilled(ILogger logger, int found, long applied, long elapsedMs);
}
