using SpinPet.Core.Ingest;
using SpinPet.Solana.Ingest;
using SpinPet.Storage;

namespace SpinPet.Server.Ingest;

/// <summary>The backfill's listing in RocksDB, beside the events (docs/storage.md, "Backfill listing").</summary>
internal sealed class StoreBackfillJournal(SpinPetStore store) : IBackfillJournal
{
    public BackfillListing? ReadListing() => store.ReadBackfillListing();

    public void SaveListing(BackfillListing listing, IReadOnlyList<ListedSignature> page) => store.SaveBackfillListing(listing, page);

    public BackfillPage? ReadOldestPage() => store.ReadOldestBackfillPage();

    public void DeletePage(int number) => store.DeleteBackfillPage(number);

    public void DeleteListing() => store.DeleteBackfillListing();
}
