using SpinPet.Core.Chain;
using SpinPet.Core.Ingest;

namespace SpinPet.Storage.Tests;

/// <summary>The backfill's listing: pages and cursor stored together, read oldest page first, kept across a reopen.</summary>
public sealed class BackfillListingTests
{
    [Fact]
    public void Pages_are_stored_with_the_cursor_read_oldest_first_and_survive_a_reopen()
    {
        using var fixture = new StoreFixture();
        Assert.Null(fixture.Store.Backfill.ReadListing());
        Assert.Null(fixture.Store.Backfill.ReadOldestPage());

        ListedSignature[] newest = [Listed(9, 300, failed: false, 1_764_062_409), Listed(8, 299, failed: true, null)];
        ListedSignature[] older = [Listed(7, 298, failed: false, -1), Listed(6, 200, failed: false, long.MaxValue)];
        var listing = new BackfillListing(Sig(1), 100, Sig(8), 1, 2, Complete: false);
        fixture.Store.Backfill.SaveListing(listing, newest);
        // A page with nothing new moves only the cursor.
        listing = listing with { Before = Sig(7) };
        fixture.Store.Backfill.SaveListing(listing, []);
        listing = listing with { Before = Sig(6), Pages = 2, Signatures = 4, Complete = true };
        fixture.Store.Backfill.SaveListing(listing, older);

        var store = fixture.Reopen();
        Assert.Equal(listing, store.Backfill.ReadListing());
        var oldest = store.Backfill.ReadOldestPage();
        Assert.Equal(1, oldest!.Number);
        Assert.Equal(older, oldest.Entries);
        store.Backfill.DeletePage(1);
        var next = store.Backfill.ReadOldestPage();
        Assert.Equal(0, next!.Number);
        Assert.Equal(newest, next.Entries);
    }

    [Fact]
    public void Deleting_the_listing_removes_every_page_left()
    {
        using var fixture = new StoreFixture();
        var listing = new BackfillListing(null, 0, null, 0, 0, Complete: false);
        for (int page = 1; page <= 3; page++)
        {
            listing = listing with { Before = Sig(page), Pages = page, Signatures = page };
            fixture.Store.Backfill.SaveListing(listing, [Listed(page, (ulong)page, failed: false, null)]);
        }

        fixture.Store.Backfill.DeleteListing();

        Assert.Null(fixture.Store.Backfill.ReadListing());
        Assert.Null(fixture.Store.Backfill.ReadOldestPage());
    }

    [Fact]
    public void A_page_without_a_counted_page_number_is_refused()
    {
        using var fixture = new StoreFixture();

        Assert.Throws<ArgumentException>(() =>
            fixture.Store.Backfill.SaveListing(new BackfillListing(null, 0, Sig(1), 0, 1, false), [Listed(1, 1, false, null)]));
        Assert.Null(fixture.Store.Backfill.ReadListing());
    }

    private static ListedSignature Listed(int seed, ulong slot, bool failed, long? blockTime) => new(Sig(seed), slot, failed, blockTime);

    private static TxSignature Sig(int seed) => new(Enumerable.Repeat((byte)seed, TxSignature.Length).ToArray());
}
