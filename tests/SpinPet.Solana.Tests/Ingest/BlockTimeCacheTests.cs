using Microsoft.Extensions.Logging.Abstractions;
using SpinPet.ChainSimulator;
using SpinPet.Solana.Ingest;
using SpinPet.Solana.Rpc;

namespace SpinPet.Solana.Tests.Ingest;

public sealed class BlockTimeCacheTests
{
    [Fact]
    public async Task Lookups_of_a_slot_share_one_getBlockTime_call()
    {
        await using var simulator = new ChainSimulator.ChainSimulator(new SimulatorOptions { Seed = 32 });
        await simulator.StartAsync(TestContext.Current.CancellationToken);
        simulator.ProduceTransactions(200);
        using var http = new HttpClient();
        var rpc = new SolanaRpcClient(http, simulator.RpcUri, "confirmed", TimeSpan.FromSeconds(5), NullLogger.Instance, new RpcClientCounters());
        var cache = new BlockTimeCache(rpc, TestContext.Current.CancellationToken);
        var transactions = simulator.Blocks.SelectMany(b => b.Transactions.Select(_ => b)).ToList();

        // What live ingest does per notification: the reader prefetches, the applier asks; all at once here.
        foreach (var block in transactions)
        {
            cache.Prefetch(block.Slot);
        }
        var times = await Task.WhenAll(transactions.Select(block => cache.GetAsync(block.Slot)));

        Assert.Equal(transactions.Select(b => b.BlockTime), times);
        int slots = transactions.Select(b => b.Slot).Distinct().Count();
        Assert.True(transactions.Count > slots, "the chain should have several transactions per slot");
        Assert.InRange(simulator.Stats.HttpRequestsFor("getBlockTime"), 1, slots);
    }

    [Fact]
    public async Task Remembering_a_long_backfill_keeps_the_cache_bounded_and_the_newest_slots()
    {
        using var http = new HttpClient();
        // Never asked: every slot looked up below was remembered.
        var rpc = new SolanaRpcClient(http, new Uri("http://127.0.0.1:9/"), "confirmed", TimeSpan.FromSeconds(1), NullLogger.Instance, new RpcClientCounters());
        var cache = new BlockTimeCache(rpc, TestContext.Current.CancellationToken);
        const ulong First = 300_000_000;
        const int Slots = BlockTimeCache.Capacity * 3;

        for (ulong slot = First; slot < First + Slots; slot++)
        {
            cache.Settle(slot, (long)slot / 2);
        }

        Assert.InRange(cache.Count, 1, BlockTimeCache.Capacity);
        ulong newest = First + Slots - 1;
        Assert.Equal((long)newest / 2, await cache.GetAsync(newest));
        Assert.Equal((long)(newest - 100) / 2, await cache.GetAsync(newest - 100));
        Assert.Equal(0, cache.RequestCount);
    }

    [Fact]
    public async Task One_slot_has_one_block_time_the_first_one_accepted()
    {
        using var http = new HttpClient();
        // Never asked: every slot looked up below was settled first.
        var rpc = new SolanaRpcClient(http, new Uri("http://127.0.0.1:9/"), "confirmed", TimeSpan.FromSeconds(1), NullLogger.Instance, new RpcClientCounters());
        var cache = new BlockTimeCache(rpc, TestContext.Current.CancellationToken);

        Assert.Equal(1_764_062_400, cache.Settle(300_000_000, 1_764_062_400));
        // Another answer for the same slot (another transaction's, or the listing's) does not split the slot.
        Assert.Equal(1_764_062_400, cache.Settle(300_000_000, 1_764_062_405));
        Assert.Equal(1_764_062_400, await cache.GetAsync(300_000_000));
        Assert.Equal(0, cache.RequestCount);
    }
}
