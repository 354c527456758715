using SpinPet.Core.Ingest;

namespace SpinPet.Solana.Ingest;

/// <summary>
/// Where the backfill keeps its listing of the program's history (the host stores it beside the events). The node
/// lists newest first and the backfill applies oldest first, so what it has listed and not yet applied waits here
/// rather than in memory, and a failure or a restart resumes it. Called from the ingest loop only.
/// </summary>
public interface IBackfillJournal
{
    /// <summary>The listing a backfill left (in progress, or listed and partly applied), or null.</summary>
    BackfillListing? ReadListing();

    /// <summary>Stores the listing's new state and, when it has entries, its newest page (number <c>Pages − 1</c>), atomically.</summary>
    void SaveListing(BackfillListing listing, IReadOnlyList<ListedSignature> page);

    /// <summary>The page with the oldest signatures still stored, or null.</summary>
    BackfillPage? ReadOldestPage();

    void DeletePage(int number);

    /// <summary>Removes the listing and every page left.</summary>
    void DeleteListing();
}
