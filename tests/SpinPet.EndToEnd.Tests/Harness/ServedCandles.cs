using System.Net.Http.Json;
using System.Text.Json;
using SpinPet.Core.Candles;

namespace SpinPet.EndToEnd.Tests.Harness;

/// <summary>Candles as <c>/api/kline</c> serves them, walked through its keyset paging and checked against the ledger.</summary>
internal static class ServedCandles
{
    /// <summary>
    /// Every topic of every traded mint, for each interval, read through <c>/api/kline</c>, equals the candles computed
    /// from the simulator's ledger (time, OHLC, volume, update_count): nothing lost, doubled or reordered by whatever
    /// the ingest went through. Call once the server's checkpoint has reached the ledger's newest transaction.
    /// </summary>
    public static async Task EqualLedgerAsync(ServerProcess server, ChainSimulator.ChainSimulator simulator, string[]? intervals = null, VolumeUnit unit = VolumeUnit.Sol)
    {
        intervals ??= ["s1", "s30", "m5"];
        var events = simulator.ExpectedEvents();
        var expected = ReferenceCandles.Compute(events, intervals.Select(name => Interval.Parse(name).Seconds), unit);
        foreach (var mint in ReferenceCandles.Mints(events))
        {
            foreach (var name in intervals)
            {
                long seconds = Interval.Parse(name).Seconds;
                var served = await WalkBackAsync(server, mint, name);
                var want = expected.Where(e => e.Mint == mint && e.Seconds == seconds).OrderBy(e => e.Time).ToList();
                var got = served.Select(s => new ReferenceCandles.Expected(mint, seconds,
                    s.GetProperty("time").GetInt64(), s.GetProperty("open").GetDouble(), s.GetProperty("high").GetDouble(),
                    s.GetProperty("low").GetDouble(), s.GetProperty("close").GetDouble(), s.GetProperty("update_count").GetInt64(),
                    s.GetProperty("volume").GetDouble())).ToList();
                Assert.Equal(want, got);
            }
        }
    }

    /// <summary>A topic's candles, oldest first, read newest first in pages of 37 with <c>before</c> = <c>next_before</c>.</summary>
    public static async Task<List<JsonElement>> WalkBackAsync(ServerProcess server, string mint, string interval)
    {
        var candles = new List<JsonElement>();
        long? before = null;
        while (true)
        {
            var url = $"/api/kline?mint={mint}&interval={interval}&limit=37" + (before is null ? "" : $"&before={before}");
            var page = (await server.Http.GetFromJsonAsync<JsonElement>(url)).GetProperty("data");
            var klines = page.GetProperty("klines").EnumerateArray().ToList();
            // Newest first within a page, and every page older than the previous one: no gap, no repeat.
            for (int i = 1; i < klines.Count; i++)
            {
                Assert.True(klines[i - 1].GetProperty("time").GetInt64() > klines[i].GetProperty("time").GetInt64());
            }
            if (candles.Count > 0 && klines.Count > 0)
            {
                Assert.True(candles[^1].GetProperty("time").GetInt64() > klines[0].GetProperty("time").GetInt64());
            }
            candles.AddRange(klines);
            if (!page.GetProperty("has_more").GetBoolean())
            {
                Assert.Equal(JsonValueKind.Null, page.GetProperty("next_before").ValueKind);
                break;
            }
            before = page.GetProperty("next_before").GetInt64();
        }
        candles.Reverse();
        return candles;
    }
}
