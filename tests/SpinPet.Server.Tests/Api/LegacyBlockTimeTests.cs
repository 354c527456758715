using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using SpinPet.Core.Ingest;
using SpinPet.Core.Stream;
using SpinPet.Indexer;
using SpinPet.Server.Tests.Streaming;
using SpinPet.Storage.Tests;
using SpinPet.TestSupport;

namespace SpinPet.Server.Tests.Api;

/// <summary>
/// Rows stored before the ingest refused implausible block times can hold a time past year 9999: the event routes
/// still answer them (RFC 3339 <c>timestamp</c> null, <c>block_time</c> as stored) instead of a 500 for the whole page.
/// The server as Program.cs composes it, RocksDB on disk, real HTTP.
/// </summary>
public sealed class LegacyBlockTimeTests
{
    // Year ~11,476: past DateTimeOffset.MaxValue (253,402,300,799 s), as a lying RPC node could have answered.
    private const long FarFuture = 300_000_000_000;

    [Fact]
    public async Task An_event_stored_with_a_block_time_past_year_9999_is_served_with_a_null_timestamp()
    {
        using var folder = new TempFolder();
        await using var app = await InProcessServer.StartAsync(folder.Path);
        var ct = TestContext.Current.CancellationToken;
        var indexer = app.Services.GetRequiredService<SpinPetIndexer>();
        var legacy = TestChain.Transaction(1, 10, 0, TestChain.BuySell(0, 5, 5)) with { BlockTime = FarFuture };
        var sane = TestChain.Transaction(2, 11, 0, TestChain.BuySell(0, 6, 6));
        Assert.NotNull(indexer.Apply(StreamBatch.Of([legacy, sane], TestChain.CheckpointOf(sane)), indexer.Position.Next()));
        using var http = new HttpClient { BaseAddress = new Uri(app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First()) };

        using var response = await http.GetAsync($"/api/events?mint={TestChain.Key(1)}&order_by=slot_asc", ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var events = (await response.Content.ReadFromJsonAsync<JsonElement>(ct)).GetProperty("data").GetProperty("events");
        Assert.Equal(2, events.GetArrayLength());
        Assert.Equal(JsonValueKind.Null, events[0].GetProperty("timestamp").ValueKind);
        Assert.Equal(FarFuture, events[0].GetProperty("block_time").GetInt64());
        Assert.Equal(
            DateTimeOffset.FromUnixTimeSeconds(TestChain.BlockTime(11)).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture),
            events[1].GetProperty("timestamp").GetString());
        await app.StopAsync(ct);
    }
}
