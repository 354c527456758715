using SpinPet.Indexer.Metadata;
using SpinPet.Storage;
using SpinPet.TestSupport.Http;
using static SpinPet.Indexer.Tests.Metadata.MetadataHarness;

namespace SpinPet.Indexer.Tests.Metadata;

/// <summary>
/// Where a hostile uri or redirect cannot lead: redirects are followed hop by hop, a hop off the gateway is judged like a
/// token's own uri (https only, public addresses only, at every connection), and addresses that embed an inside IPv4
/// address are refused before any connection is made.
/// </summary>
public sealed class TokenMetadataRedirectTests
{
    private const string Json = "{\"name\":\"n\"}";

    [Fact]
    public async Task A_redirect_within_the_gateway_is_followed()
    {
        await using var harness = await StartAsync(c =>
        {
            if (c.Request.Path == $"/ipfs/{Cid(1)}")
            {
                c.Response.Redirect($"/ipfs/{Cid(1)}/metadata.json");
                return Task.CompletedTask;
            }
            return MetadataGateway.JsonAsync(c, Json);
        });
        harness.CreateTokens((1, $"ipfs://{Cid(1)}"));

        await harness.StartServiceAsync();
        await harness.WaitForAsync(() => harness.Stored(1) is not null, "token 1 stored");

        Assert.Equal(TokenMetadataState.Fetched, harness.Stored(1)!.State);
        Assert.Equal(1, harness.Gateway.Hits($"/ipfs/{Cid(1)}/metadata.json"));
    }

    [Fact]
    public async Task A_gateway_redirect_to_another_origin_is_judged_like_a_tokens_own_uri()
    {
        await using var inside = await MetadataGateway.StartAsync(c => MetadataGateway.JsonAsync(c, "{\"name\":\"an inside service\"}"));
        await using var insideTls = await MetadataGateway.StartAsync(c => MetadataGateway.JsonAsync(c, "{\"name\":\"an inside service\"}"), TestCertificate.Create());
        var redirects = new Dictionary<string, string>
        {
            [$"/ipfs/{Cid(1)}"] = new Uri(inside.BaseUri, "latest/meta-data/").AbsoluteUri,
            [$"/ipfs/{Cid(2)}"] = new Uri(insideTls.BaseUri, "admin").AbsoluteUri,
            [$"/ipfs/{Cid(3)}"] = $"https://localhost:{insideTls.BaseUri.Port}/admin",
        };
        await using var harness = await StartAsync(c =>
        {
            c.Response.Redirect(redirects[c.Request.Path.Value!]);
            return Task.CompletedTask;
        });
        harness.CreateTokens((1, $"ipfs://{Cid(1)}"), (2, $"ipfs://{Cid(2)}"), (3, $"ipfs://{Cid(3)}"));

        await harness.StartServiceAsync();
        await harness.WaitForAsync(() => Enumerable.Range(1, 3).All(i => harness.Stored(i) is not null), "the three tokens settled");

        Assert.Equal(new StoredTokenMetadata(TokenMetadataState.Failed, harness.Stored(1)!.RecordedAtMs,
            $"a redirect to http://127.0.0.1:{inside.BaseUri.Port}, outside the gateway; only https is followed there"), harness.Stored(1));
        Assert.Equal(new StoredTokenMetadata(TokenMetadataState.Failed, harness.Stored(2)!.RecordedAtMs,
            "127.0.0.1 has no public address; token uris are not fetched from private networks"), harness.Stored(2));
        Assert.Equal(new StoredTokenMetadata(TokenMetadataState.Failed, harness.Stored(3)!.RecordedAtMs,
            "localhost has no public address; token uris are not fetched from private networks"), harness.Stored(3));
        Assert.Equal(0, inside.TotalHits + insideTls.TotalHits);
    }

    [Fact]
    public async Task Every_redirect_hop_of_a_tokens_own_uri_is_judged_again()
    {
        await using var harness = await StartAsync(c => MetadataGateway.JsonAsync(c, Json));
        var origin = await harness.StartOriginAsync(c =>
        {
            string? next = c.Request.Path.Value switch
            {
                "/meta/1.json" => "https://10.0.0.1/x",
                "/meta/2.json" => "https://[64:ff9b::a00:1]/x",
                "/meta/3.json" => "https://[::ffff:169.254.169.254]/latest/meta-data/",
                "/meta/4.json" => "http://example.com/x",
                "/meta/5.json" => "/meta/5.json",
                _ => null,
            };
            if (next is null)
            {
                return MetadataGateway.JsonAsync(c, Json);
            }
            c.Response.Redirect(next);
            return Task.CompletedTask;
        });
        harness.CreateTokens([.. Enumerable.Range(1, 6).Select(i => (i, new Uri(origin.BaseUri, $"meta/{i}.json").AbsoluteUri))]);

        await harness.StartServiceAsync();
        await harness.WaitForAsync(() => Enumerable.Range(1, 6).All(i => harness.Stored(i) is not null), "the six tokens settled");

        Assert.All([1, 2, 3], i => Assert.EndsWith("has no public address; token uris are not fetched from private networks", harness.Stored(i)!.Content, StringComparison.Ordinal));
        Assert.Equal("a redirect to http://example.com, outside the gateway; only https is followed there", harness.Stored(4)!.Content);
        Assert.Equal("more than 5 redirects", harness.Stored(5)!.Content);
        Assert.Equal(6, origin.Hits("/meta/5.json"));
        Assert.Equal(TokenMetadataState.Fetched, harness.Stored(6)!.State);
        Assert.All(Enumerable.Range(1, 5), i => Assert.Equal(TokenMetadataState.Failed, harness.Stored(i)!.State));
    }

    [Theory]
    [InlineData("https://[64:ff9b::7f00:1]/m.json")]
    [InlineData("https://[64:ff9b::a9fe:a9fe]/latest/meta-data/")]
    [InlineData("https://[2002:7f00:1::]/m.json")]
    [InlineData("https://[2002:a00:1::1]:8443/m.json")]
    [InlineData("https://[::ffff:10.0.0.1]/m.json")]
    [InlineData("https://[::127.0.0.1]/m.json")]
    [InlineData("https://[2001:0:4136:e378:8000:63bf:3fff:fdd2]/m.json")]
    [InlineData("https://[::]/m.json")]
    [InlineData("https://0.0.0.0/m.json")]
    [InlineData("https://100.100.100.200/latest/meta-data/")]
    public async Task A_tokens_own_uri_on_an_address_that_leads_inside_is_refused_before_connecting(string uri)
    {
        await using var harness = await StartAsync(c => MetadataGateway.JsonAsync(c, Json));
        harness.CreateTokens((1, uri));

        await harness.StartServiceAsync();
        await harness.WaitForAsync(() => harness.Stored(1) is not null, "the token settled");

        Assert.Equal(TokenMetadataState.Failed, harness.Stored(1)!.State);
        Assert.EndsWith("has no public address; token uris are not fetched from private networks", harness.Stored(1)!.Content, StringComparison.Ordinal);
        Assert.Equal(0, harness.Counters.Retries);
    }
}
