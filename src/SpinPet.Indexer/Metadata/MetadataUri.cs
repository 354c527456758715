namespace SpinPet.Indexer.Metadata;

/// <summary>
/// Maps a token's <c>uri</c> to the address its metadata is fetched from (docs/rest.md, "Token metadata"):
/// <list type="bullet">
/// <item><c>ipfs://CID/path</c> (also <c>ipfs://ipfs/CID/path</c>) and a bare <c>CID/path</c> → gateway + <c>CID/path</c>;</item>
/// <item><c>http(s)://any-host/ipfs/CID/path</c> (a path gateway) and <c>https://CID.ipfs.any-host/path</c> (a subdomain
/// gateway) → gateway + <c>CID/path</c>, query kept: the content is the same on every gateway, and the configured one is
/// the operator's choice (rate limits, trust);</item>
/// <item>any other <c>https://</c> URL → fetched as it is, only from public addresses;</item>
/// <item>anything else (plain <c>http://</c> to a non-gateway host, <c>data:</c>, <c>ar://</c>, text) → not fetched, a permanent failure.</item>
/// </list>
/// </summary>
internal static class MetadataUri
{
    private const int MaxUriLength = 2048;

    /// <summary>The gateway URL as a base that <c>CID/path</c> is appended to (a trailing slash added if missing).</summary>
    public static Uri GatewayBase(string gatewayUrl)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(gatewayUrl);
        var text = gatewayUrl.Trim();
        return new Uri(text.EndsWith('/') ? text : text + "/", UriKind.Absolute);
    }

    /// <summary>The address to fetch, or null with the reason when the uri is not fetched at all.</summary>
    public static MetadataTarget? Resolve(string? uri, Uri gateway, out string? problem)
    {
        ArgumentNullException.ThrowIfNull(gateway);
        problem = null;
        var text = uri?.Trim();
        if (string.IsNullOrEmpty(text))
        {
            problem = "the token has no uri";
            return null;
        }
        if (text.Length > MaxUriLength)
        {
            problem = $"the uri is longer than {MaxUriLength} characters";
            return null;
        }
        if (text.StartsWith("ipfs://", StringComparison.OrdinalIgnoreCase))
        {
            var rest = text["ipfs://".Length..];
            if (rest.StartsWith("ipfs/", StringComparison.OrdinalIgnoreCase))
            {
                rest = rest["ipfs/".Length..];
            }
            return OnGateway(rest, gateway, text, out problem);
        }
        if (!text.Contains(':', StringComparison.Ordinal))
        {
            // No scheme: a bare CID, as some launchpads store it.
            return OnGateway(text, gateway, text, out problem);
        }
        if (!Uri.TryCreate(text, UriKind.Absolute, out var absolute)
            || (absolute.Scheme != Uri.UriSchemeHttps && absolute.Scheme != Uri.UriSchemeHttp))
        {
            problem = "the uri is neither ipfs:// nor an http(s) URL";
            return null;
        }
        var segments = absolute.AbsolutePath.Split('/', 3);
        if (segments.Length >= 3 && segments[1] == "ipfs" && IsCid(CidOf(segments[2])))
        {
            return OnGateway(segments[2] + absolute.Query, gateway, text, out problem);
        }
        var labels = absolute.Host.Split('.');
        if (labels.Length >= 3 && labels[1] == "ipfs" && IsCid(labels[0]))
        {
            return OnGateway(labels[0] + absolute.AbsolutePath + absolute.Query, gateway, text, out problem);
        }
        if (absolute.Scheme != Uri.UriSchemeHttps)
        {
            problem = "plain http is fetched only through the IPFS gateway; the uri is not an IPFS address";
            return null;
        }
        return new MetadataTarget(absolute, ViaGateway: false);
    }

    /// <summary>
    /// An image address a browser can load: <c>ipfs://</c> becomes the gateway URL; anything else is served as the
    /// metadata says.
    /// </summary>
    public static string? BrowserImage(string? image, Uri gateway) =>
        image is not null && image.StartsWith("ipfs://", StringComparison.OrdinalIgnoreCase)
            && Resolve(image, gateway, out _) is { ViaGateway: true } target
            ? target.Address.AbsoluteUri
            : image;

    private static MetadataTarget? OnGateway(string cidAndPath, Uri gateway, string original, out string? problem)
    {
        problem = null;
        var cid = CidOf(cidAndPath);
        if (!IsCid(cid))
        {
            problem = $"'{Shorten(original)}' does not name an IPFS CID";
            return null;
        }
        var path = cidAndPath[cid.Length..];
        int fragment = path.IndexOf('#', StringComparison.Ordinal);
        if (fragment >= 0)
        {
            path = path[..fragment];
        }
        // The path must stay under the gateway's CID: no dot segments or backslashes that would climb out of it.
        if (path.Contains('\\', StringComparison.Ordinal) || path.Split('?')[0].Split('/').Any(s => s is "." or ".." || s.Contains("%2e", StringComparison.OrdinalIgnoreCase)))
        {
            problem = $"'{Shorten(original)}' has a path that leaves the CID";
            return null;
        }
        if (!Uri.TryCreate(gateway, cid + path, out var address) || !address.AbsoluteUri.StartsWith(gateway.AbsoluteUri + cid, StringComparison.Ordinal))
        {
            problem = $"'{Shorten(original)}' does not make a gateway URL";
            return null;
        }
        return new MetadataTarget(address, ViaGateway: true);
    }

    private static string CidOf(string cidAndPath)
    {
        int end = cidAndPath.IndexOfAny(['/', '\\', '?', '#']);
        return end < 0 ? cidAndPath : cidAndPath[..end];
    }

    /// <summary>
    /// A CIDv0 (<c>Qm</c> + 44 base58 digits: a sha2-256 multihash) or a CIDv1 in base32 (<c>b</c> + lowercase base32,
    /// at least 58 characters for a 32-byte digest: <c>bafy…</c>, <c>bafk…</c>).
    /// </summary>
    internal static bool IsCid(string text)
    {
        if (text.Length == 46 && text.StartsWith("Qm", StringComparison.Ordinal))
        {
            return text.All(c => char.IsAsciiLetterOrDigit(c) && c is not ('0' or 'O' or 'I' or 'l'));
        }
        if (text.Length is >= 58 and <= 128 && text[0] == 'b')
        {
            return text.Skip(1).All(c => char.IsAsciiLetterLower(c) || c is >= '2' and <= '7');
        }
        return false;
    }

    private static string Shorten(string text) => text.Length <= 80 ? text : text[..80] + "…";
}
