using SpinPet.Core.Chain;

namespace SpinPet.Core.Ingest;

/// <summary>
/// A backfill's listing of the program's history, kept in storage while it pages backwards through it and while its
/// pages are applied, so that a failure or a restart resumes it instead of listing everything again.
/// </summary>
/// <param name="Until">The checkpoint when the listing began: it lists what is newer (null on a first start).</param>
/// <param name="FloorSlot">Entries below this slot end the listing (the checkpoint's slot, or <c>solana.backfill_since_slot</c>).</param>
/// <param name="Before">The oldest signature listed so far: the next page is asked for before it (null before the first page).</param>
/// <param name="Pages">Pages stored so far, numbered from 0 (the newest).</param>
/// <param name="Signatures">Signatures stored in those pages.</param>
/// <param name="Complete">The listing reached its end; what is left is applying the pages.</param>
public sealed record BackfillListing(TxSignature? Until, ulong FloorSlot, TxSignature? Before, int Pages, long Signatures, bool Complete);

/// <summary>A signature as the node listed it: what the backfill needs to fetch the transaction and place it.</summary>
public readonly record struct ListedSignature(TxSignature Signature, ulong Slot, bool Failed, long? BlockTime);

/// <summary>One stored page of a listing: its number and its entries, newest first as listed.</summary>
public sealed record BackfillPage(int Number, IReadOnlyList<ListedSignature> Entries);
