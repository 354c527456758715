using System.Net.Http.Json;
using System.Text.Json;
using SpinPet.Core.Candles;
using SpinPet.Core.Chain;
using SpinPet.EndToEnd.Tests.Harness;
using SpinPet.Storage;
using SpinPet.TestSupport;

namespace SpinPet.EndToEnd.Tests.Rest;

/// <summary>
/// <c>GET /api/kline</c> as rest.md describes it, over real HTTP against a server whose store holds a known series:
/// 120 s1 candles of one mint, 10 s apart (times T0 … T0 + 1190).
/// </summary>
public sealed class KlineHistoryTests(KlineHistoryTests.Server fixture) : IClassFixture<KlineHistoryTests.Server>
{
    private const long T0 = 1_700_000_000;
    private const int Count = 120;
    private const string Mint = "JBMmrp6jhksqnxDBskkmVvWHhJLaPBjgiMHEroJbUTBZ";
    private const string Unknown = "So11111111111111111111111111111111111111112";

    private static long[] All => [.. Enumerable.Range(0, Count).Select(i => T0 + (10L * i))];

    [Fact]
    public async Task Defaults_are_the_newest_50_newest_first_with_the_topic_fields()
    {
        var page = await GetAsync($"mint={Mint}&interval=s1");

        Assert.Equal(All.Reverse().Take(50), Times(page));
        Assert.Equal(Count, page.GetProperty("total").GetInt64());
        Assert.Equal("s1", page.GetProperty("interval").GetString());
        Assert.Equal(Mint, page.GetProperty("mint_account").GetString());
        Assert.True(page.GetProperty("has_more").GetBoolean());
        Assert.Equal(Times(page)[^1], page.GetProperty("next_before").GetInt64());
        var candle = page.GetProperty("klines")[0];
        Assert.Equal(["time", "open", "high", "low", "close", "volume", "is_final", "update_count"], candle.EnumerateObject().Select(p => p.Name));
        Assert.Equal(119.5, candle.GetProperty("close").GetDouble());
    }

    [Fact]
    public async Task Walking_back_with_next_before_reaches_the_oldest_candle_and_the_last_page_has_next_before_null()
    {
        var seen = new List<long>();
        string query = $"mint={Mint}&interval=s1";
        JsonElement page;
        int pages = 0;
        do
        {
            page = await GetAsync(query);
            seen.AddRange(Times(page));
            pages++;
            query = page.GetProperty("next_before").ValueKind == JsonValueKind.Null ? "" : $"mint={Mint}&interval=s1&before={page.GetProperty("next_before").GetInt64()}";
        }
        while (page.GetProperty("has_more").GetBoolean());

        Assert.Equal(3, pages);
        Assert.Equal(All.Reverse(), seen);
        Assert.Equal(JsonValueKind.Null, page.GetProperty("next_before").ValueKind);
    }

    [Fact]
    public async Task To_ends_the_window_inclusively_and_before_exclusively()
    {
        var to = await GetAsync($"mint={Mint}&interval=s1&to={T0 + 590}&limit=100");
        Assert.Equal(All.Where(t => t <= T0 + 590).Reverse(), Times(to));
        Assert.False(to.GetProperty("has_more").GetBoolean());
        Assert.Equal(JsonValueKind.Null, to.GetProperty("next_before").ValueKind);

        var before = await GetAsync($"mint={Mint}&interval=s1&before={T0 + 590}&limit=3");
        Assert.Equal([T0 + 580, T0 + 570, T0 + 560], Times(before));
        Assert.Equal(T0 + 560, before.GetProperty("next_before").GetInt64());
        Assert.Equal(Count, before.GetProperty("total").GetInt64());
    }

    [Fact]
    public async Task Page_skips_whole_pages_of_the_same_window()
    {
        var second = await GetAsync($"mint={Mint}&interval=s1&page=2");
        Assert.Equal(All.Reverse().Skip(50).Take(50), Times(second));
        Assert.True(second.GetProperty("has_more").GetBoolean());

        var third = await GetAsync($"mint={Mint}&interval=s1&page=3");
        Assert.Equal(All.Reverse().Skip(100), Times(third));
        Assert.False(third.GetProperty("has_more").GetBoolean());
        Assert.Equal(JsonValueKind.Null, third.GetProperty("next_before").ValueKind);
    }

    [Fact]
    public async Task Time_asc_without_from_gives_the_newest_page_oldest_first_and_still_pages_back()
    {
        var page = await GetAsync($"mint={Mint}&interval=s1&limit=5&order_by=time_asc");
        Assert.Equal(All[^5..], Times(page));
        Assert.True(page.GetProperty("has_more").GetBoolean());
        Assert.Equal(All[^5], page.GetProperty("next_before").GetInt64());
    }

    [Fact]
    public async Task From_reads_forward_in_the_order_asked_and_pages_on_with_from_after_the_newest_returned()
    {
        var desc = await GetAsync($"mint={Mint}&interval=s1&from={T0 + 95}&limit=10");
        Assert.Equal(All.Where(t => t >= T0 + 95).Take(10).Reverse(), Times(desc));
        Assert.True(desc.GetProperty("has_more").GetBoolean());
        Assert.Equal(JsonValueKind.Null, desc.GetProperty("next_before").ValueKind);

        // Forward paging (docs/rest.md): from = the newest time returned + 1, until has_more is false.
        var seen = new List<long>();
        long from = T0 + 95;
        JsonElement page;
        do
        {
            page = await GetAsync($"mint={Mint}&interval=s1&from={from}&limit=37&order_by=time_asc");
            var times = Times(page);
            Assert.Equal(times.Order(), times);
            seen.AddRange(times);
            from = times[^1] + 1;
        }
        while (page.GetProperty("has_more").GetBoolean());
        Assert.Equal(All.Where(t => t >= T0 + 95), seen);

        var window = await GetAsync($"mint={Mint}&interval=s1&from={T0 + 100}&to={T0 + 150}&order_by=time_asc");
        Assert.Equal([T0 + 100, T0 + 110, T0 + 120, T0 + 130, T0 + 140, T0 + 150], Times(window));
        Assert.False(window.GetProperty("has_more").GetBoolean());
    }

    [Fact]
    public async Task An_interval_without_candles_is_an_empty_page_without_a_cursor()
    {
        var page = await GetAsync($"mint={Mint}&interval=m5");
        Assert.Empty(Times(page));
        Assert.Equal(0, page.GetProperty("total").GetInt64());
        Assert.False(page.GetProperty("has_more").GetBoolean());
        Assert.Equal(JsonValueKind.Null, page.GetProperty("next_before").ValueKind);
    }

    [Fact]
    public async Task An_unknown_mint_is_a_404_with_the_envelope()
    {
        using var response = await fixture.Process.Http.GetAsync($"/api/kline?mint={Unknown}&interval=s1", TestContext.Current.CancellationToken);
        await RestLedgerTests.AssertErrorAsync(response, System.Net.HttpStatusCode.NotFound, $"Unknown mint {Unknown}: no event of it is stored");
    }

    private async Task<JsonElement> GetAsync(string query)
    {
        var envelope = await fixture.Process.Http.GetFromJsonAsync<JsonElement>("/api/kline?" + query, TestContext.Current.CancellationToken);
        Assert.True(envelope.GetProperty("success").GetBoolean());
        return envelope.GetProperty("data");
    }

    private static long[] Times(JsonElement page) => [.. page.GetProperty("klines").EnumerateArray().Select(k => k.GetProperty("time").GetInt64())];

    /// <summary>A server (listener off) over a store written beforehand with the series.</summary>
    public sealed class Server : IAsyncLifetime
    {
        private readonly TempFolder _database = new();

        internal ServerProcess Process { get; private set; } = null!;

        public async ValueTask InitializeAsync()
        {
            using (var store = SpinPetStore.Open(_database.Path))
            {
                var mint = PublicKey.Parse(Mint);
                using var write = store.BeginWrite(store.Meta.Position.Next());
                store.Candles.Stage(write, [.. All.Select((t, i) =>
                    new CandleWrite(mint, Interval.S1, new Candle(t, i, i + 1, i - 1, i + 0.5, 0, UpdateCount: 1, IsFinal: true), IsNew: true))]);
                write.Commit();
            }
            Process = await ServerProcess.StartAsync(new Dictionary<string, string>
            {
                ["SPIN_DATABASE__ROCKSDB_PATH"] = _database.Path,
                ["SPIN_SOLANA__ENABLE_EVENT_LISTENER"] = "false",
            });
        }

        public async ValueTask DisposeAsync()
        {
            await Process.DisposeAsync();
            _database.Dispose();
        }
    }
}
