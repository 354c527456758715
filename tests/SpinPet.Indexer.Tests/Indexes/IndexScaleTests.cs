using SpinPet.Core.Chain;
using SpinPet.Core.Events;
using SpinPet.Core.Ingest;
using SpinPet.Indexer.Indexes;
using SpinPet.Storage;
using SpinPet.Storage.Tests;
using SpinPet.Storage.Tests.Derived;
using static SpinPet.Storage.Tests.Derived.DerivedChain;
using static SpinPet.Storage.Tests.TestChain;

namespace SpinPet.Indexer.Tests.Indexes;

/// <summary>
/// A REST page costs what it returns, however many rows the list holds: shown by counting the index keys a read visits
/// and the rows it reads behind them (the store's own counters), not by timing it.
/// </summary>
public sealed class IndexScaleTests
{
    private const int HotEvents = 100_000;
    private const int NeighbourEvents = 10_000;
    private const int EventsPerTransaction = 10;
    private const int Alice = 10;

    [Fact]
    public void A_page_of_100_events_reads_100_events_wherever_it_starts_among_100000()
    {
        using var fixture = new StoreFixture();
        var store = fixture.Store;
        // The hot mint sits between the other two in key order, so a scan could not stop early by luck.
        int[] mints = [1, 2, 3];
        Array.Sort(mints, (a, b) => Key(a).AsSpan().SequenceCompareTo(Key(b).AsSpan()));
        int hot = mints[1];
        Fill(store, mints, hot);
        store.Flush();
        Assert.Equal((ulong)HotEvents, store.Indexes.GetMint(Key(hot))!.EventCount);

        var newest = Measure(store, () => store.Indexes.ReadMintEvents(Key(hot), newestFirst: true, after: null, skip: 0, limit: 100));
        var middle = store.Indexes.ReadMintEvents(Key(hot), newestFirst: true, after: null, skip: HotEvents / 2, limit: 1);
        var cursor = Measure(store, () => store.Indexes.ReadMintEvents(Key(hot), newestFirst: true, middle.Next, skip: 0, limit: 100));
        // `page` 50 of 100 (the deepest the REST API serves is 5,000 rows): the 4,900 rows before it are only stepped over.
        var paged = Measure(store, () => store.Indexes.ReadMintEvents(Key(hot), newestFirst: true, after: null, skip: 4_900, limit: 100));
        var userPaged = Measure(store, () => store.Indexes.ReadUserEvents(Key(Alice), Key(hot), newestFirst: false, after: null, skip: 4_900, limit: 100));

        Assert.Equal((101, 100), (newest.Keys, newest.Items));
        Assert.Equal((101, 100), (cursor.Keys, cursor.Items));
        Assert.Equal((5_001, 100), (paged.Keys, paged.Items));
        // Alice's rows of the first mint in key order come first (oldest first): the filter steps over them, reading none.
        Assert.Equal((NeighbourEvents + 5_001, 100), (userPaged.Keys, userPaged.Items));

        // And they are the right rows: the page after the cursor continues where the cursor left off.
        var page = store.Indexes.ReadMintEvents(Key(hot), newestFirst: true, middle.Next, skip: 0, limit: 100);
        Assert.Equal(middle.Items[0].Position, Predecessor(store, hot, page.Items[0].Position));
        var skipped = store.Indexes.ReadMintEvents(Key(hot), newestFirst: true, after: null, skip: 4_900, limit: 100);
        var walked = store.Indexes.ReadMintEvents(Key(hot), newestFirst: true, after: null, skip: 0, limit: 5_000);
        Assert.Equal(walked.Items.Skip(4_900).Select(e => e.Position), skipped.Items.Select(e => e.Position));
    }

    /// <summary>Transactions of ten trades each, by Alice, for the three mints, applied in batches like the ingest does.</summary>
    private static void Fill(SpinPetStore store, int[] mints, int hot)
    {
        var chain = new DerivedChain();
        int n = 0;
        ulong slot = 1_000;
        foreach (int mint in mints)
        {
            int transactions = (mint == hot ? HotEvents : NeighbourEvents) / EventsPerTransaction;
            foreach (var chunk in Enumerable.Range(0, transactions).Chunk(1_000))
            {
                var batch = new List<IngestedTransaction>(chunk.Length);
                foreach (int i in chunk)
                {
                    var trades = Enumerable.Range(0, EventsPerTransaction)
                        .Select(e => (SpinPetEvent)Trade(mint, Alice, (ulong)(i + e + 1), (UInt128)(i + 1))).ToArray();
                    batch.Add(chain.Tx(++n, slot++, 0, trades));
                }
                store.Index(batch, CheckpointOf(batch[^1]));
            }
        }
    }

    /// <summary>The position just newer than <paramref name="position"/> in the mint's list (one oldest-first step).</summary>
    private static ChainPosition Predecessor(SpinPetStore store, int mint, ChainPosition position)
    {
        var after = new byte[IndexKeys.OwnerPositionLength - PublicKey.Length];
        Keys.WritePosition(after, position);
        return store.Indexes.ReadMintEvents(Key(mint), newestFirst: false, after, skip: 0, limit: 1).Items[0].Position;
    }

    /// <summary>Index keys visited and items read during <paramref name="read"/>.</summary>
    private static (long Keys, long Items) Measure(SpinPetStore store, Action read)
    {
        long keys = store.Indexes.IndexKeysRead;
        long items = store.Indexes.IndexItemsRead;
        read();
        return (store.Indexes.IndexKeysRead - keys, store.Indexes.IndexItemsRead - items);
    }
}
