using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using SpinPet.EndToEnd.Tests.Harness;
using SpinPet.TestSupport;

namespace SpinPet.EndToEnd.Tests.Chart;

/// <summary>
/// The chart page at <c>/</c> in headless Chromium against the real server: what it draws is compared with what the
/// server stores (<c>GET /api/kline</c>). The page exposes the chart's bars read-only as
/// <c>window.spinpetChart.bars()</c> (lightweight-charts' own series data, with the fill that marks a settled candle,
/// and the volume histogram's bar at the same time), so every comparison below covers the volumes too.
/// </summary>
public sealed class ChartPageTests(ChartPageFixture chain) : IClassFixture<ChartPageFixture>
{
    private static readonly TimeSpan PageWait = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan LiveUpdate = TimeSpan.FromSeconds(2);
    // A small history page, so that the stored history (about 40 s1 candles per token) needs `before` pages.
    private const int HistoryLimit = 20;

    [Fact]
    public async Task Prices_on_the_page_and_on_its_price_scale_keep_their_significant_digits()
    {
        await using var page = await OpenChartAsync();
        string Format(double price) => $"import('/format.js').then(f => f.formatPrice({price.ToString("R", CultureInfo.InvariantCulture)}))";

        Assert.Equal("0.0₇2796", await page.EvaluateAsync<string>(Format(2.796e-8)));
        Assert.Equal("0.0₁₂1", await page.EvaluateAsync<string>(Format(1e-13)));
        Assert.Equal("0.001234", await page.EvaluateAsync<string>(Format(0.001234)));
        Assert.Equal("1.5", await page.EvaluateAsync<string>(Format(1.5)));
        Assert.Equal("12,346", await page.EvaluateAsync<string>(Format(12345.6)));
        // The price scale and the crosshair use the same formatter, one digit more.
        Assert.Equal("0.0₇27961", await page.EvaluateAsync<string>("window.spinpetChart.priceLabel(2.79612e-8)"));

        // What the page shows for the token: the last price, never rounded to zero.
        var bars = await BarsAsync(page);
        string shown = await page.EvaluateAsync<string>("document.getElementById('last-price').textContent");
        Assert.Equal(await page.EvaluateAsync<string>(Format(bars[^1].Close)), shown);
        Assert.Matches(@"^0\.0[₀-₉]+[1-9][0-9]*$", shown);
        foreach (var bar in bars)
        {
            Assert.DoesNotContain("0.00", await page.EvaluateAsync<string>($"window.spinpetChart.priceLabel({bar.Low.ToString("R", CultureInfo.InvariantCulture)})"), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task The_chart_draws_history_follows_a_trade_within_two_seconds_and_switches_interval_and_token()
    {
        await using var page = await OpenChartAsync();

        // Picker and switch come from the server: every token with a trade, every interval it builds.
        var intervals = await SupportedIntervalsAsync();
        Assert.Equal(intervals, await page.EvaluateAsync<string[]>("[...document.querySelectorAll('#intervals button')].map(b => b.dataset.interval)"));
        var mints = await MintsAsync();
        var options = await page.EvaluateAsync<string[]>("[...document.querySelectorAll('#token option')].map(o => o.value)");
        Assert.Equal(mints, options);
        string mint = await page.EvaluateAsync<string>("window.spinpetChart.mint");
        Assert.Equal(mints[0], mint);
        Assert.Equal(intervals[0], await page.EvaluateAsync<string>("window.spinpetChart.interval"));

        // History: the newest candles first, then, scrolling back, every stored one (older pages come with `before`).
        await ChartShowsNewestStoredAsync(page, mint, intervals[0]);
        var history = await ScrollBackToTheFirstCandleAsync(page, mint, intervals[0]);
        Assert.True(history.Count > HistoryLimit, $"{history.Count} candles: expected more than one page of {HistoryLimit}");
        Assert.Contains(history, bar => bar.Final);
        Assert.All(history, bar => Assert.Equal(bar.Final, bar.SettledLook));

        // Volume (kline.volume_unit = sol by default): a histogram in its own pane, a bar per candle with the stored
        // volume (compared above) and the candle's direction color; trades of both directions are in the history.
        Assert.Equal("sol", await VolumeUnitAsync(chain.Server));
        Assert.Equal("sol", await page.EvaluateAsync<string>("window.spinpetChart.volumeUnit"));
        Assert.True(await page.EvaluateAsync<bool>("window.spinpetChart.volumeShown"));
        Assert.Contains(history, bar => bar.Volume > 0 && bar.VolumeRising == true);
        Assert.Contains(history, bar => bar.Volume > 0 && bar.VolumeRising == false);

        // Live: a trade of this token reaches the drawn newest candle within 2 s.
        var before = history[^1];
        var clock = Stopwatch.StartNew();
        chain.Trade(mint);
        await page.Eventually(async () =>
        {
            var bars = await BarsAsync(page);
            return bars.Count > 0 && bars[^1] != before && bars[^1] == (await StoredAsync(mint, intervals[0]))[^1];
        }, LiveUpdate, "the drawn newest candle shows the trade");
        TestContext.Current.TestOutputHelper?.WriteLine($"trade → drawn in {clock.ElapsedMilliseconds} ms");
        await LastPriceShowsAsync(page);
        var newest = (await BarsAsync(page))[^1];
        Assert.Equal(await page.EvaluateAsync<string>($"window.spinpetChart.priceLabel({newest.Close.ToString("R", CultureInfo.InvariantCulture)})"),
            await page.EvaluateAsync<string>($"import('/format.js').then(f => f.formatPrice({newest.Close.ToString("R", CultureInfo.InvariantCulture)}, 5))"));

        // Interval switch: the button, then the same token's candles of that interval.
        string longer = intervals[1];
        await page.EvaluateAsync($"document.querySelector('#intervals button[data-interval=\"{longer}\"]').click()");
        await ChartShowsNewestStoredAsync(page, mint, longer);
        Assert.Equal("true", await page.EvaluateAsync<string>($"document.querySelector('[data-interval=\"{longer}\"]').getAttribute('aria-pressed')"));

        // Token switch: the picker, then the other token's candles, name and live trades.
        string other = mints.First(m => m != mint);
        await page.EvaluateAsync($"(() => {{ const s = document.getElementById('token'); s.value = '{other}'; s.dispatchEvent(new Event('change')); }})()");
        await ChartShowsNewestStoredAsync(page, other, longer);
        var detail = await DetailAsync(other);
        Assert.Equal(detail.GetProperty("symbol").GetString(), await page.EvaluateAsync<string>("document.getElementById('symbol').textContent"));
        Assert.Equal(detail.GetProperty("name").GetString(), await page.EvaluateAsync<string>("document.getElementById('token-name').textContent"));
        await page.EvaluateAsync($"document.querySelector('#intervals button[data-interval=\"{intervals[0]}\"]').click()");
        await ScrollBackToTheFirstCandleAsync(page, other, intervals[0]);
        var last = (await BarsAsync(page))[^1];
        chain.Trade(other);
        await page.Eventually(async () =>
        {
            var bars = await BarsAsync(page);
            return bars[^1] != last && bars[^1] == (await StoredAsync(other, intervals[0]))[^1];
        }, LiveUpdate, "the other token's trade is drawn");
        await LastPriceShowsAsync(page);
        // Scrolled back above: the page offers the way back to the newest candle.
        await page.EvaluateAsync("document.getElementById('latest').click()");
        await page.Eventually(async () => await page.EvaluateAsync<bool>("document.getElementById('latest').hidden"), PageWait, "back at the newest candle");
        await page.MoveMouseAsync(1, 1);
        // Without a bar under the pointer the volume readout shows the newest candle's volume, in SOL.
        var drawn = (await BarsAsync(page))[^1];
        string volumeText = "Vol " + await page.EvaluateAsync<string>(
            $"import('/format.js').then(f => f.formatVolume({drawn.Volume!.Value.ToString("R", CultureInfo.InvariantCulture)}))") + " SOL";
        await page.Eventually(async () => await page.EvaluateAsync<string>("document.getElementById('volume').textContent") == volumeText,
            PageWait, $"the volume readout says {volumeText}");
        await SaveScreenshotAsync(page, "chart.png");

        // A phone: nothing wider than the screen, the chart still there.
        await page.SetViewportAsync(390, 844, scale: 2, mobile: true);
        await page.Eventually(async () => await page.EvaluateAsync<bool>(
            "document.documentElement.scrollWidth <= 390 && document.querySelector('#chart canvas').getBoundingClientRect().right <= 390"),
            PageWait, "the page fits a 390 px wide window");
        Assert.NotEmpty(await BarsAsync(page));
        await SaveScreenshotAsync(page, "chart-phone.png");
    }

    [Fact]
    public async Task The_trades_list_shows_the_tokens_newest_trades_as_stored_and_puts_a_new_one_on_top_without_moving_the_chart()
    {
        string mint = (await MintsAsync())[0];
        await using var page = await OpenChartAsync($"#mint={mint}&interval=s1");
        await TradesMatchStoredAsync(page, mint);
        Assert.Contains(await TradesAsync(page), trade => trade.Side is "buy" or "sell");

        var chartBox = await page.EvaluateAsync<string>("JSON.stringify(document.getElementById('chart').getBoundingClientRect())");
        string top = (await TradesAsync(page))[0].Key;
        chain.Trade(mint);
        var trades = await TradesMatchStoredAsync(page, mint, newerThan: top);
        Assert.Equal(top, trades.SkipWhile(t => t.Key != top).First().Key);
        // The list keeps its box: a new row does not move or resize the chart beside it.
        Assert.Equal(chartBox, await page.EvaluateAsync<string>("JSON.stringify(document.getElementById('chart').getBoundingClientRect())"));
        Assert.True(await page.EvaluateAsync<int>("document.querySelectorAll('#trades tr').length") <= 50);
    }

    [Fact]
    public async Task After_the_server_restarts_the_page_resumes_from_its_position_without_a_gap()
    {
        var mints = await MintsAsync();
        string mint = mints[0];
        await using var page = await OpenChartAsync($"#mint={mint}&interval=s1");
        await ScrollBackToTheFirstCandleAsync(page, mint, "s1");
        chain.Trade(mint);
        await page.Eventually(async () => (await BarsAsync(page)).SequenceEqual(await StoredAsync(mint, "s1")), PageWait, "the trade is drawn");
        var beforeRestart = await BarsAsync(page);
        Assert.Equal(0, await page.EvaluateAsync<int>("window.spinpetChart.resumes.length"));

        await chain.RestartServerAsync(async () =>
        {
            await page.Eventually(async () => await page.EvaluateAsync<string>("window.spinpetChart.connection") != "live", PageWait,
                "the page notices the server is gone");
            Assert.StartsWith("reconnecting", await page.EvaluateAsync<string>("document.getElementById('connection-text').textContent"), StringComparison.Ordinal);
            // While the server is down the chain goes on: more new candles than one history page holds.
            chain.Produce(250);
        });

        // Back: live again, and the drawn candles from the oldest one held before are exactly the stored ones.
        long oldest = beforeRestart[0].Time;
        await page.Eventually(async () =>
            await page.EvaluateAsync<string>("window.spinpetChart.connection") == "live"
            && (await BarsAsync(page)).SequenceEqual(await StoredAsync(mint, "s1", from: oldest)),
            PageWait, "the page reconnected and holds every stored candle");
        var refilled = await BarsAsync(page);
        Assert.True(refilled.Count >= beforeRestart.Count + HistoryLimit,
            $"{refilled.Count} candles after the restart, {beforeRestart.Count} before: the outage should add more than a history page");
        Assert.Equal("live", await page.EvaluateAsync<string>("document.getElementById('connection-text').textContent"));

        // It got there by resuming (protocol.md, "Position and resume"): the restarted server kept its epoch, so the
        // page asked for what changed after its position and got it, more than a history page of it, without REST.
        // (The fixture lets the restarted server catch up before the page can reach it, so the outage is in the
        // recovered snapshot rather than in live pushes after it.)
        var resume = await LastResumeAsync(page);
        Assert.True(resume.GetProperty("recovered").GetBoolean(), $"the resume was not recovered: {resume}");
        Assert.Equal(resume.GetProperty("from").GetProperty("epoch").GetString(), resume.GetProperty("epoch").GetString());
        Assert.True(resume.GetProperty("seq").GetInt64() > resume.GetProperty("from").GetProperty("seq").GetInt64(), "the chain moved on while the server was down");
        Assert.Equal(1, await page.EvaluateAsync<int>("window.spinpetChart.resumes.length"));
        Assert.DoesNotContain("refilled", page.Console, StringComparison.Ordinal);

        // And it follows the chain again.
        var last = refilled[^1];
        chain.Trade(mint);
        await page.Eventually(async () =>
        {
            var bars = await BarsAsync(page);
            return bars[^1] != last && bars.SequenceEqual(await StoredAsync(mint, "s1", from: oldest));
        }, PageWait, "a trade after the restart is drawn");
        // The trades list subscribed again too: the trades of the outage are on top, as stored.
        await TradesMatchStoredAsync(page, mint);
        TestContext.Current.TestOutputHelper?.WriteLine($"{beforeRestart.Count} candles before the restart, {refilled.Count} after; page console:\n{page.Console}");
    }

    [Fact]
    public async Task When_the_server_comes_back_with_another_history_the_page_reloads_instead_of_resuming()
    {
        var mints = await MintsAsync();
        string mint = mints[^1];
        await using var page = await OpenChartAsync($"#mint={mint}&interval=s1");
        var before = await ScrollBackToTheFirstCandleAsync(page, mint, "s1");
        Assert.True(before.Count > HistoryLimit, $"{before.Count} candles: the page should hold more than one history page");

        // A new database: the same chain indexed again, under another epoch, so no position of the page is known.
        await chain.RestartServerAsync(() => page.Eventually(async () => await page.EvaluateAsync<string>("window.spinpetChart.connection") != "live",
            PageWait, "the page notices the server is gone"), freshDatabase: true);

        var resume = await LastResumeAsync(page);
        Assert.False(resume.GetProperty("recovered").GetBoolean(), $"a resume in another epoch was recovered: {resume}");
        Assert.NotEqual(resume.GetProperty("from").GetProperty("epoch").GetString(), resume.GetProperty("epoch").GetString());
        // The page dropped what it held (it belongs to another history) and drew the ordinary history, as on a first load.
        var drawn = await ChartShowsNewestStoredAsync(page, mint, "s1");
        Assert.True(drawn[0].Time > before[0].Time, "the candles of the old history were dropped");
        Assert.Equal("live", await page.EvaluateAsync<string>("window.spinpetChart.connection"));
    }

    [Fact]
    public async Task With_volume_unit_none_the_page_draws_no_volume_histogram()
    {
        using var database = new TempFolder();
        await using var server = await chain.StartServerWithVolumeUnitAsync("none", database);
        var mints = await MintsAsync();
        await using var page = await OpenChartAsync($"#mint={mints[0]}&interval=s1", server);

        Assert.Equal("none", await VolumeUnitAsync(server));
        Assert.All(await StoredAsync(mints[0], "s1", server: server), bar => Assert.Equal(0, bar.Volume));
        Assert.Equal("none", await page.EvaluateAsync<string>("window.spinpetChart.volumeUnit"));
        // No pane, no series, no readout: not a flat line of zeros.
        Assert.False(await page.EvaluateAsync<bool>("window.spinpetChart.volumeShown"));
        Assert.True(await page.EvaluateAsync<bool>("document.getElementById('volume').hidden"));
        Assert.All(await BarsAsync(page), bar => Assert.Null(bar.Volume));
    }

    private async Task<DevToolsPage> OpenChartAsync(string fragment = "", ServerProcess? server = null)
    {
        var page = await chain.Browser.OpenPageAsync();
        try
        {
            await page.NavigateAsync(new Uri((server ?? chain.Server).BaseUri, $"/?limit={HistoryLimit}{fragment}"));
            await page.Eventually(async () => await page.EvaluateAsync<bool>(
                "window.spinpetChart?.connection === 'live' && window.spinpetChart.bars().length > 0"), PageWait, "the chart is live with candles");
            return page;
        }
        catch
        {
            await page.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// Waits until the chart follows the topic and draws its newest stored candles, without a gap: the drawn bars are
    /// the stored ones from the oldest drawn on (at least one history page of them, or all when there are fewer).
    /// </summary>
    private async Task<List<ChartBar>> ChartShowsNewestStoredAsync(DevToolsPage page, string mint, string interval) =>
        await ChartMatchesAsync(page, mint, interval, (bars, stored) =>
            bars.Count >= Math.Min(stored.Count, HistoryLimit) && bars.SequenceEqual(stored.TakeLast(bars.Count)),
            "its newest stored candles");

    /// <summary>Drags the chart to the right (back in time) until it draws every stored candle of the topic.</summary>
    private async Task<List<ChartBar>> ScrollBackToTheFirstCandleAsync(DevToolsPage page, string mint, string interval)
    {
        var box = await page.EvaluateAsync<JsonElement>("document.getElementById('chart').getBoundingClientRect().toJSON()");
        double left = box.GetProperty("left").GetDouble(), width = box.GetProperty("width").GetDouble();
        double y = box.GetProperty("top").GetDouble() + (box.GetProperty("height").GetDouble() / 2);
        return await ChartMatchesAsync(page, mint, interval, (bars, stored) => bars.SequenceEqual(stored), "all its stored candles",
            whileWaiting: () => page.DragAsync(left + (width * 0.2), y, left + (width * 0.7), y));
    }

    private async Task<List<ChartBar>> ChartMatchesAsync(DevToolsPage page, string mint, string interval,
        Func<List<ChartBar>, List<ChartBar>, bool> matches, string what, Func<Task>? whileWaiting = null)
    {
        List<ChartBar> bars = [];
        List<ChartBar> stored = [];
        try
        {
            await page.Eventually(async () =>
            {
                bars = await BarsAsync(page);
                stored = await StoredAsync(mint, interval);
                if (await page.EvaluateAsync<string>("window.spinpetChart.mint") == mint
                    && await page.EvaluateAsync<string>("window.spinpetChart.interval") == interval
                    && matches(bars, stored))
                {
                    return true;
                }
                if (whileWaiting is not null)
                {
                    await whileWaiting();
                }
                return false;
            }, PageWait, $"the chart draws {what} ({interval} of {mint})");
        }
        catch (TimeoutException e)
        {
            throw new TimeoutException($"{e.Message}\ndrawn ({bars.Count}): {string.Join(", ", bars.TakeLast(3))}\nstored ({stored.Count}): {string.Join(", ", stored.TakeLast(3))}", e);
        }
        return bars;
    }

    /// <summary>The page's newest resume (inspect.js: {from: {epoch, seq}, recovered, seq, epoch}) once answered.</summary>
    private static async Task<JsonElement> LastResumeAsync(DevToolsPage page)
    {
        await page.Eventually(async () => await page.EvaluateAsync<bool>(
            "window.spinpetChart.resumes.length > 0 && window.spinpetChart.resumes.at(-1).recovered !== null"), PageWait, "the server answered the page's resume");
        return await page.EvaluateAsync<JsonElement>("window.spinpetChart.resumes.at(-1)");
    }

    /// <summary>The quote above the chart shows the newest drawn candle's close.</summary>
    private static async Task LastPriceShowsAsync(DevToolsPage page)
    {
        var newest = (await BarsAsync(page))[^1];
        string expected = await page.EvaluateAsync<string>($"import('/format.js').then(f => f.formatPrice({newest.Close.ToString("R", CultureInfo.InvariantCulture)}))");
        Assert.Equal(expected, await page.EvaluateAsync<string>("document.getElementById('last-price').textContent"));
    }

    private static async Task<List<ChartBar>> BarsAsync(DevToolsPage page) =>
        await page.EvaluateAsync<List<ChartBar>>("window.spinpetChart.bars()");

    /// <summary>The stored candles of a topic, oldest first (all, or from a time on), as the chart should draw them.</summary>
    private async Task<List<ChartBar>> StoredAsync(string mint, string interval, long from = 0, ServerProcess? server = null)
    {
        var envelope = await (server ?? chain.Server).Http.GetFromJsonAsync<JsonElement>(
            $"/api/kline?mint={mint}&interval={interval}&limit=1000&order_by=time_asc&from={from}");
        return [.. envelope.GetProperty("data").GetProperty("klines").EnumerateArray().Select(c => new ChartBar(
            c.GetProperty("time").GetInt64(), c.GetProperty("open").GetDouble(), c.GetProperty("high").GetDouble(),
            c.GetProperty("low").GetDouble(), c.GetProperty("close").GetDouble(), c.GetProperty("is_final").GetBoolean(),
            c.GetProperty("is_final").GetBoolean(), c.GetProperty("update_count").GetInt64(),
            c.GetProperty("volume").GetDouble(), c.GetProperty("close").GetDouble() >= c.GetProperty("open").GetDouble()))];
    }

    /// <summary>
    /// Waits until the trades list holds the mint's newest stored trades (GET /api/events, newest first: buys, sells,
    /// margin opens, closes, liquidations; at most 50), each with its side, price, SOL and trader as stored; with
    /// <paramref name="newerThan"/>, also a trade newer than that row on top.
    /// </summary>
    private async Task<List<TradeRow>> TradesMatchStoredAsync(DevToolsPage page, string mint, string? newerThan = null)
    {
        List<TradeRow> shown = [];
        List<TradeRow> stored = [];
        try
        {
            await page.Eventually(async () =>
            {
                shown = await TradesAsync(page);
                stored = await StoredTradesAsync(mint);
                return shown.Count > 0 && shown.SequenceEqual(stored) && (newerThan is null || shown[0].Key != newerThan);
            }, PageWait, $"the trades list shows the newest stored trades of {mint}");
        }
        catch (TimeoutException e)
        {
            throw new TimeoutException($"{e.Message}\nshown ({shown.Count}): {string.Join(", ", shown.Take(3))}\nstored ({stored.Count}): {string.Join(", ", stored.Take(3))}", e);
        }
        return shown;
    }

    private static async Task<List<TradeRow>> TradesAsync(DevToolsPage page) =>
        await page.EvaluateAsync<List<TradeRow>>("window.spinpetChart.trades()");

    /// <summary>The mint's newest 50 trades as GET /api/events stores them, as the list should show them.</summary>
    private async Task<List<TradeRow>> StoredTradesAsync(string mint)
    {
        var envelope = await chain.Server.Http.GetFromJsonAsync<JsonElement>($"/api/events?mint={mint}&limit=1000");
        var trades = new List<TradeRow>();
        foreach (var e in envelope.GetProperty("data").GetProperty("events").EnumerateArray())
        {
            string? side = e.GetProperty("event_type").GetString() switch
            {
                "BuySell" => e.GetProperty("is_buy").GetBoolean() ? "buy" : "sell",
                "LongShort" => e.GetProperty("order_type").GetInt32() == 1 ? "long" : "short",
                "FullClose" or "PartialClose" => "close",
                "ForceLiquidate" => "liquidation",
                _ => null,
            };
            if (side is null)
            {
                continue;
            }
            string? sol = e.GetProperty("event_type").GetString() switch
            {
                "BuySell" => e.GetProperty("sol_amount").GetString(),
                "LongShort" => e.GetProperty("margin_sol_amount").GetString(),
                "FullClose" or "PartialClose" => e.GetProperty("final_sol_amount").GetString(),
                _ => null,
            };
            // solana.price_scale_exponent = 28: the server's own conversion (events.md "Price").
            double? price = e.TryGetProperty("latest_price", out var p) ? (double)UInt128.Parse(p.GetString()!, CultureInfo.InvariantCulture) / 1e28 : null;
            string trader = (e.TryGetProperty("user", out var user) ? user : e.GetProperty("payer")).GetString()!;
            trades.Add(new TradeRow($"{e.GetProperty("signature").GetString()}:{e.GetProperty("event_index").GetInt32()}", side, price,
                sol is null ? null : ulong.Parse(sol, CultureInfo.InvariantCulture) / 1e9, e.GetProperty("block_time").GetInt64(), trader));
            if (trades.Count == 50)
            {
                break;
            }
        }
        return trades;
    }

    private static async Task<string> VolumeUnitAsync(ServerProcess server)
    {
        var envelope = await server.Http.GetFromJsonAsync<JsonElement>("/api/kline/status");
        return envelope.GetProperty("data").GetProperty("stats").GetProperty("config").GetProperty("volume_unit").GetString()!;
    }

    private async Task<string[]> SupportedIntervalsAsync()
    {
        var envelope = await chain.Server.Http.GetFromJsonAsync<JsonElement>("/api/kline/status");
        return [.. envelope.GetProperty("data").GetProperty("stats").GetProperty("config").GetProperty("supported_intervals")
            .EnumerateArray().Select(i => i.GetString()!)];
    }

    private async Task<string[]> MintsAsync()
    {
        var envelope = await chain.Server.Http.GetFromJsonAsync<JsonElement>("/api/mints?limit=100&sort_by=activity_desc");
        return [.. envelope.GetProperty("data").GetProperty("mints").EnumerateArray().Select(m => m.GetString()!)];
    }

    private async Task<JsonElement> DetailAsync(string mint)
    {
        using var response = await chain.Server.Http.PostAsJsonAsync("/api/details", new { mints = new[] { mint } });
        var envelope = await response.Content.ReadFromJsonAsync<JsonElement>();
        return envelope.GetProperty("data").GetProperty("details")[0];
    }

    /// <summary>
    /// Saves to the test output folder (screenshots/); with SPIN_UPDATE_SCREENSHOTS=1 also to docs/images/, the
    /// README's picture (a test run leaves the repository untouched otherwise).
    /// </summary>
    private static async Task SaveScreenshotAsync(DevToolsPage page, string name)
    {
        var png = await page.ScreenshotAsync();
        var folder = Path.Combine(AppContext.BaseDirectory, "screenshots");
        Directory.CreateDirectory(folder);
        await File.WriteAllBytesAsync(Path.Combine(folder, name), png);
        if (Environment.GetEnvironmentVariable("SPIN_UPDATE_SCREENSHOTS") == "1")
        {
            await File.WriteAllBytesAsync(Path.Combine(RepoPaths.Root, "docs", "images", name), png);
        }
        TestContext.Current.TestOutputHelper?.WriteLine($"screenshot: {Path.Combine(folder, name)}");
    }

    /// <summary>
    /// A drawn candle (or a stored one, as it should be drawn): settled ones are filled, open ones hollow; its volume
    /// bar (null without a histogram) in the up color when the candle closed at or above its open.
    /// </summary>
    internal sealed record ChartBar(long Time, double Open, double High, double Low, double Close, bool Final, bool SettledLook, long UpdateCount,
        double? Volume, bool? VolumeRising);

    /// <summary>A row of the trades list (or a stored trade, as the list should show it), newest first.</summary>
    internal sealed record TradeRow(string Key, string Side, double? Price, double? Sol, long Time, string Trader);
}
