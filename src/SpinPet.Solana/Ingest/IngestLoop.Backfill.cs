using System.Diagnostics;
using Microsoft.Extensions.Logging;
using SpinPet.Core.Chain;
using SpinPet.Core.Ingest;
using SpinPet.Solana.Rpc;

namespace SpinPet.Solana.Ingest;

/// <summary>
/// The backfill: everything the node lists as newer than the checkpoint, applied oldest first. The node lists
/// newest first, a page of up to 1,000 at a time; each page goes to the <see cref="IBackfillJournal"/> with the
/// listing's cursor as it arrives, and once the listing reached its end the pages are applied from the oldest one up,
/// each deleted once applied. So memory holds one page whatever the history's length, and a failure (or a restart)
/// resumes the listing, or the applying, where it stopped (docs/decisions/0005-paged-backfill.md).
/// </summary>
internal sealed partial class IngestLoop
{
    private const int PageSize = 1000;

    private readonly LogThrottle _slotMismatchLog = new(TimeSpan.FromSeconds(10));

    private async Task BackfillAsync(CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        status.BackfillStarted();
        _tally = default;
        _sequencer = new TxSequencer(applied.ReadCheckpoint());
        long listed = 0, appliedCount = 0;
        while (true)
        {
            // A listing an earlier backfill left is finished and applied first. It ends where that backfill began,
            // before this one was asked for, so a fresh listing follows: everything up to now (a new subscription's
            // gap included) is listed after this backfill began.
            var left = journal.ReadListing();
            if (left is { Complete: false } && left.Until != applied.ReadCheckpoint()?.Signature)
            {
                // Nothing is applied while a listing is incomplete, so this is a listing of another history.
                LogListingDiscarded(logger, left.Pages, left.Signatures);
                journal.DeleteListing();
                left = null;
            }
            if (left is not null)
            {
                LogListingResumed(logger, left.Complete ? "applying" : "listing", left.Pages, left.Signatures);
            }
            var listing = await ListAsync(left ?? NewListing(), listed, ct);
            listed += listing.Signatures;
            appliedCount += await ApplyListingAsync(ct);
            if (left is null)
            {
                break;
            }
        }
        status.BackfillEnded();
        if (listed > 0)
        {
            LogBackfilled(logger, listed, appliedCount, clock.ElapsedMilliseconds);
        }
    }

    private BackfillListing NewListing()
    {
        var checkpoint = applied.ReadCheckpoint();
        // `until` stops at the checkpoint; the slot bound also stops a node that has pruned that signature.
        return new BackfillListing(checkpoint?.Signature, checkpoint?.Slot ?? options.BackfillSinceSlot, Before: null, Pages: 0, Signatures: 0, Complete: false);
    }

    /// <summary>Pages backwards from the listing's cursor to its end, storing each page with the new cursor.</summary>
    private async Task<BackfillListing> ListAsync(BackfillListing listing, long listedBefore, CancellationToken ct)
    {
        string? until = listing.Until?.ToString();
        status.BackfillFound(listedBefore + listing.Signatures);
        while (!listing.Complete)
        {
            string? before = listing.Before?.ToString();
            var page = await rpc.GetSignaturesForAddressAsync(options.ProgramId, PageSize, before, until, ct);
            status.BackfillHolding(page.Length);
            // Only an empty page ends the listing. A short page is no proof of the end: real nodes answer short
            // mid-history (at the local-ledger/Bigtable boundary, for one), and stopping there would move the
            // checkpoint past every older signature never listed. The end costs one extra, empty request.
            bool reachedEnd = page.Length == 0;
            var fresh = new List<ListedSignature>(page.Length);
            foreach (var entry in page)
            {
                if (entry.Slot < listing.FloorSlot)
                {
                    reachedEnd = true;
                    break;
                }
                if (TxSignature.TryParse(entry.Signature, out var signature) && !applied.Contains(signature))
                {
                    fresh.Add(new ListedSignature(signature, entry.Slot, entry.Failed, entry.BlockTime));
                }
            }
            var cursor = listing.Before;
            if (!reachedEnd)
            {
                if (page[^1].Signature == before)
                {
                    // A node that ignores `before` answers the same page forever; only an empty page ends the loop.
                    throw new RpcUnavailableException($"getSignaturesForAddress: the node repeated the page before {before}");
                }
                // The cursor is kept as a signature; a listing that ends in something else cannot be continued.
                cursor = TxSignature.TryParse(page[^1].Signature, out var oldest) ? oldest
                    : throw new RpcUnavailableException($"getSignaturesForAddress: the page ends in '{BadInputText(page[^1].Signature)}', which is not a signature");
            }
            listing = listing with
            {
                Before = cursor,
                Pages = listing.Pages + (fresh.Count > 0 ? 1 : 0),
                Signatures = listing.Signatures + fresh.Count,
                Complete = reachedEnd,
            };
            journal.SaveListing(listing, fresh);
            status.BackfillFound(listedBefore + listing.Signatures);
        }
        return listing;
    }

    /// <summary>Applies the stored pages, oldest first, deleting each once applied, then the listing. Returns how many were applied.</summary>
    private async Task<long> ApplyListingAsync(CancellationToken ct)
    {
        long count = 0;
        while (journal.ReadOldestPage() is { } page)
        {
            status.BackfillHolding(page.Entries.Count);
            count += await ApplyPageAsync(page.Entries, ct);
            journal.DeletePage(page.Number);
        }
        journal.DeleteListing();
        return count;
    }

    /// <summary>One page, oldest entry first (a page is stored newest first, as listed), in batches of 512.</summary>
    private async Task<long> ApplyPageAsync(IReadOnlyList<ListedSignature> page, CancellationToken ct)
    {
        // getTransaction calls run ahead of the applier in a window; they are awaited (and applied) in order.
        int window = options.RpcMaxConcurrency;
        var inFlight = new Queue<(ListedSignature Entry, Task<TransactionInfo?> Fetch)>();
        var batch = new List<IngestedTransaction>(BatchSize);
        int next = page.Count - 1;
        long stored = 0;
        while (next >= 0 || inFlight.Count > 0)
        {
            while (inFlight.Count < window && next >= 0)
            {
                var entry = page[next--];
                // Applied already when this page was cut short by a failure, or by a restart, after part of it.
                if (applied.Contains(entry.Signature))
                {
                    continue;
                }
                inFlight.Enqueue((entry, entry.Failed ? Task.FromResult<TransactionInfo?>(null) : FetchAsync(entry, ct)));
            }
            if (inFlight.Count == 0)
            {
                break;
            }
            var (listed, fetch) = inFlight.Dequeue();
            var transaction = await fetch;
            // FetchAsync hands out whole answers only: meta present, logs present unless failed, the listed slot.
            if (listed.Failed || transaction!.Meta!.Failed)
            {
                batch.Add(Build(listed.Signature, listed.Slot, listed.BlockTime ?? 0, failed: true, []));
            }
            else
            {
                var slot = listed.Slot;
                // The listing's block time only when the transaction has none, and only within the rule (getBlockTime
                // answers are checked by the client).
                long? listedTime = listed.BlockTime is { } time && BlockTimeRule.Check(time, rpc.Time.GetUtcNow()) is null ? time : null;
                long blockTime = blockTimes.Settle(slot, transaction.BlockTime ?? listedTime ?? await blockTimes.GetAsync(slot));
                batch.Add(Build(listed.Signature, slot, blockTime, failed: false, transaction.Meta.LogMessages!));
            }
            if (batch.Count >= BatchSize)
            {
                stored += await CommitAsync(batch, ct);
                // A new list: the appended batch keeps its own.
                batch = new List<IngestedTransaction>(BatchSize);
            }
        }
        // The page's last batch is stored before the page is deleted.
        stored += await CommitAsync(batch, ct);
        return stored;
    }

    /// <summary>
    /// The listed transaction, whole (the RPC client refuses answers without meta or logs, for another signature, or
    /// with a block time that breaks <see cref="BlockTimeRule"/>) and in the slot it was listed in.
    /// </summary>
    private async Task<TransactionInfo?> FetchAsync(ListedSignature listed, CancellationToken ct)
    {
        // A node that listed a signature may answer null for a moment (another replica lags): ask again. An answer in
        // another slot than the listing's means one of the two is wrong: ask again too, and after 10 tries fail the
        // backfill, whose retry lists again.
        var signature = listed.Signature.ToString();
        var backoff = new Backoff(TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(2));
        for (int attempt = 1; ; attempt++)
        {
            var transaction = await rpc.GetTransactionAsync(signature, ct);
            if (transaction is not null && transaction.Slot == listed.Slot)
            {
                return transaction;
            }
            if (transaction is not null)
            {
                status.Rpc.Garbage.Add(1);
                if (_slotMismatchLog.TryEnter(out long heldBack))
                {
                    LogSlotMismatch(logger, signature, transaction.Slot, listed.Slot, heldBack);
                }
            }
            if (attempt >= 10)
            {
                throw new RpcUnavailableException(transaction is null
                    ? $"getTransaction returned null for {signature}, which the node listed"
                    : $"getTransaction answered slot {transaction.Slot} for {signature}, which the node listed in slot {listed.Slot}");
            }
            await Task.Delay(backoff.Next(), ct);
        }
    }

    /// <summary>At most 120 characters of what a node sent where a signature belongs.</summary>
    private static string BadInputText(string text) => text.Length <= 120 ? text : text[..120] + "…";

    [LoggerMessage(Level = LogLevel.Warning, Message = "getTransaction answered slot {Answered} for {Signature}, listed in slot {Listed}: counted as garbage, asking again ({HeldBack} more in the last 10 s not logged)")]
    private static partial void LogSlotMismatch(ILogger logger, string signature, ulong answered, ulong listed, long heldBack);

    [LoggerMessage(Level = LogLevel.Information, Message = "Backfill: resuming the stored listing ({Phase}; {Pages} pages, {Signatures} signatures listed)")]
    private static partial void LogListingResumed(ILogger logger, string phase, int pages, long signatures);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Backfill: a stored listing ({Pages} pages, {Signatures} signatures) does not start at the checkpoint; listing again")]
    private static partial void LogListingDiscarded(ILogger logger, int pages, long signatures);

    [LoggerMessage(Level = LogLevel.Information, Message = "Backfill: {Found} new transactions listed, {Applied} applied in {ElapsedMs} ms")]
    private static partial void LogBackfilled(ILogger logger, long found, long applied, long elapsedMs);
}
