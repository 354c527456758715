using SpinPet.Core.Ingest;
using SpinPet.Solana.Ingest;
using SpinPet.Storage;

namespace SpinPet.Server.Ingest;

/// <summary>The backfill's listing in RocksDB, beside the events (docs/storage.md, "Backfill listing").</summary>
internal sealed class StoreBackfillJournal(SpinPetStore store) : IBackfillJournal
{
    public BackfillListing? ReadListing() => store.Backfill.ReadListing();

    public void SaveListing(BackfillListing listing, IReadOnlyList<ListedSignature> page) => store.Backfill.SaveListing(listing, page);

    public BackfillPage? ReadOldestPage() => store.Backfill.ReadOldestPage();

    public void DeletePage(int number) => store.Backfill.DeletePage(number);

    public void DeleteListing() => store.Backfill.DeleteListing();
}
