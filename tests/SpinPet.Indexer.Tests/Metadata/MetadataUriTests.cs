using SpinPet.Indexer.Metadata;
using static SpinPet.Indexer.Tests.Metadata.MetadataHarness;

namespace SpinPet.Indexer.Tests.Metadata;

/// <summary>How a token's uri maps to the address its metadata is fetched from (docs/rest.md, "Token metadata").</summary>
public sealed class MetadataUriTests
{
    private static readonly Uri Gateway = MetadataUri.GatewayBase("https://gw.example/ipfs");
    private static readonly string V1 = "bafybeigdyrzt5sfp7udm7hu76uh7y26nf3efuylqabf3oclgtqy55fbzdi";

    [Theory]
    [InlineData("ipfs://{0}", "https://gw.example/ipfs/{0}")]
    [InlineData("ipfs://{0}/metadata.json", "https://gw.example/ipfs/{0}/metadata.json")]
    [InlineData("ipfs://ipfs/{0}/a/b.json", "https://gw.example/ipfs/{0}/a/b.json")]
    [InlineData("  {0}  ", "https://gw.example/ipfs/{0}")]
    [InlineData("https://ipfs.io/ipfs/{0}", "https://gw.example/ipfs/{0}")]
    [InlineData("http://127.0.0.1:8080/ipfs/{0}/m.json?x=1", "https://gw.example/ipfs/{0}/m.json?x=1")]
    [InlineData("https://gateway.pinata.cloud/ipfs/{0}#frag", "https://gw.example/ipfs/{0}")]
    public void Ipfs_addresses_are_fetched_through_the_configured_gateway(string uri, string expected)
    {
        var cid = Cid(7);
        var target = MetadataUri.Resolve(string.Format(System.Globalization.CultureInfo.InvariantCulture, uri, cid), Gateway, out var problem);

        Assert.Null(problem);
        Assert.True(target!.Value.ViaGateway);
        Assert.Equal(string.Format(System.Globalization.CultureInfo.InvariantCulture, expected, cid), target.Value.Address.AbsoluteUri);
    }

    [Fact]
    public void A_subdomain_gateway_url_with_a_cidv1_goes_through_the_configured_gateway()
    {
        var target = MetadataUri.Resolve($"https://{V1}.ipfs.dweb.link/meta.json", Gateway, out _);

        Assert.Equal($"https://gw.example/ipfs/{V1}/meta.json", target!.Value.Address.AbsoluteUri);
    }

    [Fact]
    public void Another_https_url_is_fetched_as_it_is_outside_the_gateway()
    {
        var target = MetadataUri.Resolve("https://arweave.net/abc123", Gateway, out _);

        Assert.Equal(new MetadataTarget(new Uri("https://arweave.net/abc123"), ViaGateway: false), target);
    }

    [Theory]
    [InlineData("", "the token has no uri")]
    [InlineData("http://example.com/meta.json", "plain http is fetched only through the IPFS gateway; the uri is not an IPFS address")]
    [InlineData("ar://abc", "the uri is neither ipfs:// nor an http(s) URL")]
    [InlineData("data:application/json,{}", "the uri is neither ipfs:// nor an http(s) URL")]
    [InlineData("ipfs://not-a-cid/x", "'ipfs://not-a-cid/x' does not name an IPFS CID")]
    [InlineData("just some text", "'just some text' does not name an IPFS CID")]
    public void Other_uris_are_not_fetched_and_say_why(string uri, string expected)
    {
        Assert.Null(MetadataUri.Resolve(uri, Gateway, out var problem));
        Assert.Equal(expected, problem);
    }

    [Theory]
    [InlineData("ipfs://{0}/../../admin")]
    [InlineData("ipfs://{0}/%2e%2e/admin")]
    [InlineData("ipfs://{0}\\..\\x")]
    public void A_path_cannot_climb_out_of_the_cid_on_the_gateway(string uri)
    {
        Assert.Null(MetadataUri.Resolve(string.Format(System.Globalization.CultureInfo.InvariantCulture, uri, Cid(1)), Gateway, out var problem));
        Assert.EndsWith("has a path that leaves the CID", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Ipfs_images_become_gateway_urls_and_others_stay_as_given()
    {
        Assert.Equal($"https://gw.example/ipfs/{Cid(2)}/i.png", MetadataUri.BrowserImage($"ipfs://{Cid(2)}/i.png", Gateway));
        Assert.Equal("https://cdn.example/i.png", MetadataUri.BrowserImage("https://cdn.example/i.png", Gateway));
        Assert.Null(MetadataUri.BrowserImage(null, Gateway));
    }

    [Fact]
    public void The_parser_keeps_known_string_fields_bounds_them_and_reads_extensions()
    {
        var body = "\uFEFF" + """{"name":"N","symbol":7,"description":"DESC","image":"IMG","extensions":{"website":"https://w.example"},"unknown":{"deep":[1]}}""";
        body = body.Replace("DESC", new string('d', 5000), StringComparison.Ordinal).Replace("IMG", new string('i', 3000), StringComparison.Ordinal);

        Assert.True(TokenMetadataParser.TryParse(System.Text.Encoding.UTF8.GetBytes(body), out var document, out _));
        Assert.Equal("N", document!.Name);
        Assert.Null(document.Symbol);
        Assert.Equal(TokenMetadataParser.MaxDescriptionLength, document.Description!.Length);
        Assert.Null(document.Image);
        Assert.Equal("https://w.example", document.Website);
    }
}
