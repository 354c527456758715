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
                inFlight.Enqueue((info, info.Failed ? Task.FromResult<TransactionInfo?>(null) : FetchAsync(info.Signature, ct)));
            }
            var (entry, fetch) = inFlight.Dequeue();
            var transaction = await fetch;
            var signature = TxSignature.Parse(entry.Signature);
            if (entry.Failed || transaction?.Meta?.Failed == true)
            {
                batch.Add(Build(signature, entry.Slot, entry.BlockTime ?? 0, failed: true, []));
            }
            else
            {
                var slot = transaction!.Slot;
                long blockTime = transaction.BlockTime ?? entry.BlockTime ?? await blockTimes.GetAsync(slot);
                blockTimes.Remember(slot, blockTime);
                batch.Add(Build(signature, slot, blockTime, failed: false, transaction.Meta?.LogMessages ?? []));
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

    private async Task<TransactionInfo?> FetchAsync(string signature, CancellationToken ct)
    {
        // A node that listed a signature may answer null for a moment (another replica lags): ask again.
        var backoff = new Backoff(TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(2));
        for (int attempt = 1; ; attempt++)
        {
            var transaction = await rpc.GetTransactionAsync(signature, ct);
            if (transaction is not null)
            {
                return transaction;
            }
            if (attempt >= 10)
            {
                throw new RpcUnavailableException($"getTransaction returned null for {signature}, which the node listed");
            }
            await Task.Delay(backoff.Next(), ct);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Backfill: {Found} new transactions listed, {Applied} applied in {ElapsedMs} ms")]
    private static partial void LogBackfilled(ILogger logger, int found, long applied, long elapsedMs);
}
