using System.Net.Http.Json;
using System.Text.Json;
using SpinPet.Core.Events;
using SpinPet.EndToEnd.Tests.Harness;
using SpinPet.TestSupport;
using SpinPet.TestSupport.Http;

namespace SpinPet.EndToEnd.Tests.Rest;

/// <summary>
/// The real server with <c>ipfs.gateway_url</c> pointing at a gateway on loopback: the simulator's tokens carry
/// <c>https://ipfs.io/ipfs/CID</c> uris, which the server maps onto that gateway, fetches in the background and serves as
/// <c>uri_data</c> in <c>POST /api/details</c> and as <c>image</c> in <c>/api/user_orders</c>.
/// </summary>
public sealed class TokenMetadataEndToEndTests
{
    [Fact]
    public async Task Details_serve_the_metadata_the_gateway_holds_for_each_simulator_token()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var gateway = await MetadataGateway.StartAsync(context =>
        {
            var cid = context.Request.Path.Value!.Split('/')[2];
            return MetadataGateway.JsonAsync(context, $$"""{"name":"meta {{cid}}","symbol":"M","image":"ipfs://{{cid}}/logo.png","description":"from the test gateway","showName":true,"createdOn":"https://pump.fun"}""");
        });
        await using var simulator = new ChainSimulator.ChainSimulator(new ChainSimulator.SimulatorOptions { Seed = 7, MintCount = 4 });
        await simulator.StartAsync(ct);
        simulator.ProduceTransactions(400);
        var created = simulator.ExpectedEvents().Select(e => e.Event).OfType<TokenCreatedEvent>().ToList();
        Assert.Equal(4, created.Count);

        using var database = new TempFolder();
        var settings = ServerProcess.SettingsFor(simulator.RpcUri, simulator.WsUri, database.Path);
        settings["SPIN_IPFS__GATEWAY_URL"] = gateway.GatewayUrl.ToString();
        await using var server = await ServerProcess.StartAsync(settings);
        await server.WaitForCheckpointAsync(LedgerAssert.NewestSignature(simulator), TimeSpan.FromSeconds(90));

        var mints = created.Select(c => c.MintAccount.ToString()).ToList();
        List<JsonElement> details = [];
        await Eventually.TrueAsync(async () =>
        {
            using var response = await server.Http.PostAsJsonAsync("/api/details", new { mints }, ct);
            var data = (await response.Content.ReadFromJsonAsync<JsonElement>(ct)).GetProperty("data");
            details = [.. data.GetProperty("details").EnumerateArray()];
            return details.Count == mints.Count && details.All(d => d.GetProperty("uri_data").ValueKind == JsonValueKind.Object);
        }, TimeSpan.FromSeconds(60), "uri_data of every simulator token");

        foreach (var (token, detail) in created.Zip(details))
        {
            var cid = new Uri(token.Uri).Segments[^1];
            Assert.StartsWith("https://ipfs.io/ipfs/", token.Uri, StringComparison.Ordinal);
            Assert.Equal(token.Uri, detail.GetProperty("uri").GetString());
            var uriData = detail.GetProperty("uri_data");
            Assert.Equal("meta " + cid, uriData.GetProperty("name").GetString());
            Assert.Equal("from the test gateway", uriData.GetProperty("description").GetString());
            // pump.fun's fields under pump.fun's names, as the earlier server passed them on (rest-legacy.md).
            Assert.True(uriData.GetProperty("showName").GetBoolean());
            Assert.Equal("https://pump.fun", uriData.GetProperty("createdOn").GetString());
            Assert.Equal(new Uri(gateway.GatewayUrl, $"{cid}/logo.png").AbsoluteUri, uriData.GetProperty("image").GetString());
            Assert.Equal(1, gateway.Hits($"/ipfs/{cid}"));
        }

        // A user's open orders carry their token's image.
        var user = new LedgerReplay(simulator.ExpectedEvents()).Orders.Values.First().State.User;
        var orders = (await server.Http.GetFromJsonAsync<JsonElement>($"/api/user_orders?user={user}", ct)).GetProperty("data").GetProperty("orders");
        Assert.NotEqual(0, orders.GetArrayLength());
        foreach (var o in orders.EnumerateArray())
        {
            var cid = new Uri(created.Single(c => c.MintAccount.ToString() == o.GetProperty("mint_account").GetString()).Uri).Segments[^1];
            Assert.Equal(new Uri(gateway.GatewayUrl, $"{cid}/logo.png").AbsoluteUri, o.GetProperty("image").GetString());
        }

        var metrics = await server.Http.GetStringAsync("/metrics", ct);
        Assert.Equal(4, Operations.MetricsTests.Sample(metrics, "spinpet_metadata_fetched_total"));
        Assert.Equal(0, Operations.MetricsTests.Sample(metrics, "spinpet_metadata_queue_depth"));
        Assert.Equal(0, Operations.MetricsTests.Sample(metrics, "spinpet_metadata_parked"));
    }
}
