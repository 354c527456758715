using SpinPet.Indexer.Metadata;
using System.Net;
using SpinPet.TestSupport.Http;
using static SpinPet.Indexer.Tests.Metadata.MetadataHarness;

namespace SpinPet.Indexer.Tests.Metadata;

/// <summary>The tests that set <see cref="HttpClient.DefaultProxy"/>, process-wide state: run alone, after the others.</summary>
[CollectionDefinition(nameof(DefaultProxyCollection), DisableParallelization = true)]
public sealed class DefaultProxyCollection;

/// <summary>
/// Metadata fetches use no proxy: through one, the address guard would judge the proxy and never see the target.
/// HTTP_PROXY, HTTPS_PROXY and ALL_PROXY set <see cref="HttpClient.DefaultProxy"/>; the test sets it directly.
/// </summary>
[Collection(nameof(DefaultProxyCollection))]
public sealed class MetadataProxyTests
{
    [Fact]
    public async Task Metadata_is_fetched_directly_even_when_the_process_has_a_default_proxy()
    {
        await using var proxy = await MetadataGateway.StartAsync(c => MetadataGateway.JsonAsync(c, "{\"name\":\"from the proxy\"}"));
        var saved = HttpClient.DefaultProxy;
        HttpClient.DefaultProxy = new WebProxy(proxy.BaseUri);
        try
        {
            await using var harness = await StartAsync(c => MetadataGateway.JsonAsync(c, "{\"name\":\"from the gateway\"}"));
            var origin = await harness.StartOriginAsync(c => MetadataGateway.JsonAsync(c, "{\"name\":\"from the origin\"}"));
            harness.CreateTokens((1, $"ipfs://{Cid(1)}"), (2, new Uri(origin.BaseUri, "meta/2.json").AbsoluteUri));

            await harness.StartServiceAsync();
            await harness.WaitForAsync(() => harness.Stored(1) is not null && harness.Stored(2) is not null, "both tokens settled");

            Assert.Equal("from the gateway", harness.Reader.Get(Mint(1))?.Name);
            Assert.Equal("from the origin", harness.Reader.Get(Mint(2))?.Name);
            Assert.Equal(0, proxy.TotalHits);
        }
        finally
        {
            HttpClient.DefaultProxy = saved;
        }
    }
}
