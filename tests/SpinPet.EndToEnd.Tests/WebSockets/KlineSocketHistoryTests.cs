using System.Text.Json;
using SpinPet.EndToEnd.Tests.Examples;
using SpinPet.EndToEnd.Tests.Harness;
using SpinPet.TestSupport;

namespace SpinPet.EndToEnd.Tests.WebSockets;

/// <summary>
/// <c>history</c> over /ws against a server that ingested a simulated chain: every page (newest, <c>before</c>,
/// <c>from</c>, default and explicit <c>limit</c>) equals the stored candles that <c>/api/kline</c> returns, with
/// exact <c>has_more</c> and <c>total_count</c>.
/// </summary>
public sealed class KlineSocketHistoryTests(TradingChain chain) : IClassFixture<TradingChain>
{
    [Theory]
    [InlineData("s1", 10)]
    [InlineData("s30", 1)]
    public async Task Paging_back_with_before_walks_the_stored_candles_exactly(string interval, int limit)
    {
        var stored = await StoredAscendingAsync(interval);
        Assert.True(stored.Count > 2 * limit, $"the chain should give more than {2 * limit} {interval} candles, has {stored.Count}");
        await using var client = await ConnectAsync();

        var collected = new List<JsonElement>();
        long? before = null;
        while (true)
        {
            var page = await HistoryAsync(client, new { msg_type = "history", symbol = chain.Mint, interval, limit, before });
            var candles = page.GetProperty("data").EnumerateArray().ToList();
            int end = before is null ? stored.Count : stored.FindIndex(c => Time(c) >= before);
            if (end < 0)
            {
                end = stored.Count;
            }
            int start = Math.Max(0, end - limit);
            AssertSame(stored.GetRange(start, end - start), candles);
            Assert.Equal(start > 0, page.GetProperty("has_more").GetBoolean());
            Assert.Equal(stored.Count, page.GetProperty("total_count").GetInt64());
            collected.InsertRange(0, candles);
            if (!page.GetProperty("has_more").GetBoolean())
            {
                break;
            }
            before = Time(candles[0]);
        }
        AssertSame(stored, collected);
    }

    [Fact]
    public async Task Paging_forward_with_from_walks_the_stored_candles_exactly()
    {
        var stored = await StoredAscendingAsync("s1");
        await using var client = await ConnectAsync();

        var collected = new List<JsonElement>();
        long from = 0;
        while (true)
        {
            var page = await HistoryAsync(client, new { msg_type = "history", symbol = chain.Mint, interval = "s1", limit = 7, from });
            var candles = page.GetProperty("data").EnumerateArray().ToList();
            int start = stored.FindIndex(c => Time(c) >= from);
            int count = Math.Min(7, stored.Count - start);
            AssertSame(stored.GetRange(start, count), candles);
            Assert.Equal(start + count < stored.Count, page.GetProperty("has_more").GetBoolean());
            Assert.Equal(stored.Count, page.GetProperty("total_count").GetInt64());
            collected.AddRange(candles);
            if (!page.GetProperty("has_more").GetBoolean())
            {
                break;
            }
            from = Time(candles[^1]) + 1;
        }
        AssertSame(stored, collected);

        // Past the newest candle: an empty page, nothing more, the same total.
        var after = await HistoryAsync(client, new { msg_type = "history", symbol = chain.Mint, interval = "s1", limit = 7, from = Time(stored[^1]) + 1 });
        Assert.Empty(after.GetProperty("data").EnumerateArray());
        Assert.False(after.GetProperty("has_more").GetBoolean());
        Assert.Equal(stored.Count, after.GetProperty("total_count").GetInt64());
    }

    [Fact]
    public async Task Without_a_limit_history_is_the_newest_history_data_limit_candles_and_1000_takes_them_all()
    {
        // The fixture's chain has fewer than 100 s1 candles of its busiest mint: trade more first.
        chain.Simulator.ProduceTransactions(800);
        var stored = await StoredAscendingAsync("s1");
        Assert.True(stored.Count is > 100 and <= 1000, $"the chain gives {stored.Count} s1 candles");
        await using var client = await ConnectAsync();

        // kline.history_data_limit defaults to 100.
        var newest = await HistoryAsync(client, new { msg_type = "history", symbol = chain.Mint, interval = "s1" });
        AssertSame(stored.GetRange(stored.Count - 100, 100), newest.GetProperty("data").EnumerateArray().ToList());
        Assert.True(newest.GetProperty("has_more").GetBoolean());

        var all = await HistoryAsync(client, new { msg_type = "history", symbol = chain.Mint, interval = "s1", limit = 1000 });
        AssertSame(stored, all.GetProperty("data").EnumerateArray().ToList());
        Assert.False(all.GetProperty("has_more").GetBoolean());
        Assert.Equal(stored.Count, all.GetProperty("total_count").GetInt64());
    }

    private async Task<KlineSocketClient> ConnectAsync()
    {
        var client = await KlineSocketClient.ConnectAsync(chain.Server.BaseUri);
        await client.ReceiveUntilAsync("connection_success");
        return client;
    }

    private static async Task<JsonElement> HistoryAsync(KlineSocketClient client, object request)
    {
        await client.SendAsync(request);
        var (message, _) = await client.ReceiveUntilAsync("history_data");
        return message.GetProperty("data");
    }

    /// <summary>The stored candles, oldest first, once the server caught up with the chain and every candle is final.</summary>
    private async Task<List<JsonElement>> StoredAscendingAsync(string interval)
    {
        await chain.Server.WaitForCheckpointAsync(LedgerAssert.NewestSignature(chain.Simulator), TimeSpan.FromSeconds(60));
        List<JsonElement> stored = [];
        // The simulated chain is in the past: the finalizer marks its newest candles final soon after they are stored.
        await Eventually.TrueAsync(async () =>
        {
            stored = await KlineSocketLiveTests.ReadAllAsync(chain.Server, chain.Mint, interval);
            return stored.All(c => c.GetProperty("is_final").GetBoolean());
        }, TimeSpan.FromSeconds(30), $"every stored {interval} candle final");
        return [.. stored.OrderBy(Time)];
    }

    private static long Time(JsonElement candle) => candle.GetProperty("time").GetInt64();

    private static void AssertSame(List<JsonElement> expected, List<JsonElement> actual)
    {
        Assert.Equal(expected.Count, actual.Count);
        for (int i = 0; i < expected.Count; i++)
        {
            foreach (var field in (string[])["time", "open", "high", "low", "close", "volume", "update_count", "is_final"])
            {
                Assert.True(expected[i].GetProperty(field).GetRawText() == actual[i].GetProperty(field).GetRawText(),
                    $"candle #{i} ({Time(expected[i])}) {field}: stored {expected[i].GetProperty(field)}, over /ws {actual[i].GetProperty(field)}");
            }
        }
    }
}
