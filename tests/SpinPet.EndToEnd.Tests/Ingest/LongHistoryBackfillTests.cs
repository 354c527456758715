using System.Text.Json;
using SpinPet.EndToEnd.Tests.Harness;
using SpinPet.TestSupport;

namespace SpinPet.EndToEnd.Tests.Ingest;

/// <summary>
/// A first start over a long history: the backfill pages through it holding one page of signatures at a time (the
/// status route's peak, not a timing), keeps what it listed in storage, and after a failure — an RPC outage in the
/// middle of the listing, or the process killed — resumes the listing where it stopped instead of listing again from
/// the newest signature. The store then equals the ledger: chain order and exactly once hold across the pages.
/// </summary>
public sealed class LongHistoryBackfillTests
{
    private static readonly TimeSpan CatchUp = TimeSpan.FromMinutes(4);

    // Pages of at most 500 signatures where the server asks for 1,000, as a node does mid-history: 20,000
    // transactions make 40 pages, cheaply.
    private const int PageCap = 500;

    [Fact]
    public async Task An_rpc_outage_in_the_middle_of_the_listing_resumes_it_and_memory_holds_one_page()
    {
        await using var simulator = await IngestExactlyOnceTests.StartSimulatorAsync(seed: 81);
        simulator.ProduceTransactions(20_000);
        int pages = Pages(simulator);
        simulator.Faults.SignaturePageCap = PageCap;
        // After 15 pages the node answers 503 to the listing 8 times in a row: the client's 8 attempts give up, and
        // the backfill fails part-way down the history.
        const int FailedAnswers = 8;
        simulator.Faults.FailSignatureListingAfter(pagesFirst: 15, failedAnswers: FailedAnswers);
        using var database = new TempFolder();
        await using (var server = await IngestExactlyOnceTests.StartServerAsync(simulator, database.Path))
        {
            await server.WaitForCheckpointAsync(LedgerAssert.NewestSignature(simulator), CatchUp);
            var status = await server.GetStatusAsync();
            Assert.True(status.GetProperty("counters").GetProperty("ingest_errors").GetInt64() >= 1, "the outage should have failed a backfill");
            // Listed once: every page, the empty answer that ends the listing, and a few one-page listings of the
            // resyncs (the subscription's, the fresh listing after the resumed one).
            long answered = simulator.Stats.HttpRequestsFor("getSignaturesForAddress") - FailedAnswers;
            Assert.InRange(answered, pages + 1, pages + 6);
            Assert.Contains("resuming the stored listing (listing; 15 pages", server.Output, StringComparison.Ordinal);
            AssertOnePageHeld(status);
            await server.StopAsync();
        }
        LedgerAssert.StoreEqualsLedger(database.Path, simulator);
    }

    [Fact]
    public async Task A_server_killed_in_the_middle_of_the_listing_resumes_it_at_the_next_start()
    {
        await using var simulator = await IngestExactlyOnceTests.StartSimulatorAsync(seed: 82);
        simulator.ProduceTransactions(12_000);
        int pages = Pages(simulator);
        simulator.Faults.SignaturePageCap = PageCap;
        // A slow node, so that the kill lands while the listing is under way.
        simulator.Faults.ResponseDelay = TimeSpan.FromMilliseconds(150);
        using var database = new TempFolder();
        long listedBeforeKill;
        await using (var server = await IngestExactlyOnceTests.StartServerAsync(simulator, database.Path))
        {
            await Eventually.TrueAsync(async () =>
            {
                var backfill = (await server.GetStatusAsync()).GetProperty("backfill");
                return backfill.GetProperty("signatures_found").GetInt64() >= 8 * PageCap;
            }, CatchUp, "eight pages listed");
            await server.KillAsync();
            listedBeforeKill = simulator.Stats.HttpRequestsFor("getSignaturesForAddress");
        }
        Assert.InRange(listedBeforeKill, 8, pages - 4);
        simulator.Faults.ResponseDelay = TimeSpan.Zero;
        await using (var server = await IngestExactlyOnceTests.StartServerAsync(simulator, database.Path))
        {
            await server.WaitForCheckpointAsync(LedgerAssert.NewestSignature(simulator), CatchUp);
            // Both lives together listed each page once (a page in flight at the kill may be asked for again).
            Assert.InRange(simulator.Stats.HttpRequestsFor("getSignaturesForAddress"), pages + 1, pages + 7);
            Assert.Contains("resuming the stored listing (listing;", server.Output, StringComparison.Ordinal);
            AssertOnePageHeld(await server.GetStatusAsync());
            await server.StopAsync();
        }
        LedgerAssert.StoreEqualsLedger(database.Path, simulator);
    }

    private static void AssertOnePageHeld(JsonElement status)
    {
        long peak = status.GetProperty("backfill").GetProperty("peak_signatures_in_memory").GetInt64();
        Assert.InRange(peak, 1, PageCap);
    }

    /// <summary>The listing's pages: every program transaction of the ledger, PageCap at a time.</summary>
    private static int Pages(ChainSimulator.ChainSimulator simulator) =>
        (simulator.Blocks.Sum(b => b.Transactions.Count) + PageCap - 1) / PageCap;
}
