using Microsoft.Extensions.DependencyInjection;
using System.Globalization;
using System.Net;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Options;

namespace SpinPet.Indexer.Metadata;

/// <summary>
/// One metadata fetch attempt. It has its own timeout (<c>ipfs.timeout_ms</c> on the <see cref="TimeProvider"/>, covering
/// connect, every redirect hop, headers and body: a slow-loris origin holds a worker for that long at most) and reads at
/// most <c>ipfs.max_response_bytes</c>. Transient failures (timeouts, connection errors, 408, 429, 5xx) are reported with
/// the <c>Retry-After</c> asked for, and the caller parks the token (<see cref="MetadataRetryPolicy"/>); permanent ones
/// (other 4xx, too large, a refused address, a refused or sixth redirect) end the token's fetching.
/// </summary>
/// <remarks>
/// Redirects are followed here, hop by hop, not by the handler: a hop on the gateway's own origin (or a subdomain of its
/// host: a subdomain gateway) stays with the gateway client; any other hop is a token-chosen address and goes through the
/// direct client, https only, whose every connection is judged by <see cref="PublicAddressConnector"/>. Neither client
/// uses a proxy (HTTP_PROXY and the like are ignored): through a proxy the address check would judge the proxy, not the
/// target.
/// </remarks>
internal sealed class TokenMetadataFetcher(IHttpClientFactory clients, IOptions<IpfsOptions> options, TokenMetadataCounters counters, TimeProvider time)
{
    /// <summary>The operator's gateway: trusted, may be on a private address (a local IPFS node).</summary>
    public const string GatewayClient = "token-metadata-gateway";

    /// <summary>A token's own https uri and redirect hops off the gateway: only public addresses (<see cref="PublicAddressConnector"/>).</summary>
    public const string DirectClient = "token-metadata-direct";

    /// <summary>Redirects followed per attempt: a gateway uses one or two (a path gateway to its subdomain form); 5 bounds a loop.</summary>
    public const int MaxRedirects = 5;

    private readonly TimeSpan _timeout = TimeSpan.FromMilliseconds(options.Value.TimeoutMs);
    private readonly int _maxBytes = options.Value.MaxResponseBytes;
    private readonly Uri? _gateway = options.Value.Enabled ? MetadataUri.GatewayBase(options.Value.GatewayUrl!) : null;

    /// <summary>One attempt: a body, a permanent failure, or a transient one with the Retry-After the origin asked for.</summary>
    public async Task<FetchResult> AttemptAsync(MetadataTarget target, CancellationToken cancellationToken)
    {
        using var timer = new CancellationTokenSource(_timeout, time);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timer.Token);
        var address = target.Address;
        bool viaGateway = target.ViaGateway;
        counters.EnterRequest();
        try
        {
            for (int hop = 0; ; hop++)
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, address);
                request.Headers.Accept.ParseAdd("application/json");
                var client = clients.CreateClient(viaGateway ? GatewayClient : DirectClient);
                using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token).ConfigureAwait(false);
                int status = (int)response.StatusCode;
                if (status is 301 or 302 or 303 or 307 or 308)
                {
                    if (hop == MaxRedirects)
                    {
                        return FetchResult.Permanent($"more than {MaxRedirects} redirects");
                    }
                    if (NextHop(address, response.Headers.Location, out var problem) is not { } next)
                    {
                        return FetchResult.Permanent(problem!);
                    }
                    (address, viaGateway) = next;
                    continue;
                }
                if (status is 408 or 429 or >= 500)
                {
                    return FetchResult.Transient($"HTTP {status}", RetryAfter(response));
                }
                if (status is < 200 or >= 300)
                {
                    return FetchResult.Permanent($"HTTP {status}");
                }
                if (response.Content.Headers.ContentLength > _maxBytes)
                {
                    return TooLarge();
                }
                return await ReadBodyAsync(response.Content, timeout.Token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return FetchResult.Transient(string.Create(CultureInfo.InvariantCulture, $"timed out after {_timeout.TotalMilliseconds:0} ms"));
        }
        catch (HttpRequestException e) when (e.InnerException is AddressNotAllowedException refused)
        {
            return FetchResult.Permanent(refused.Message);
        }
        catch (HttpRequestException e)
        {
            return FetchResult.Transient($"request failed: {e.HttpRequestError} ({e.Message})");
        }
        catch (IOException e)
        {
            return FetchResult.Transient($"connection lost: {e.Message}");
        }
        finally
        {
            counters.ExitRequest();
        }
    }

    /// <summary>Where a redirect leads and which client takes it there, or null with the reason it is not followed.</summary>
    private (Uri Address, bool ViaGateway)? NextHop(Uri current, Uri? location, out string? problem)
    {
        problem = null;
        if (location is null || !Uri.TryCreate(current, location, out var next))
        {
            problem = "a redirect without a usable Location";
            return null;
        }
        if (OnGateway(next))
        {
            return (next, true);
        }
        if (next.Scheme != Uri.UriSchemeHttps)
        {
            problem = $"a redirect to {next.Scheme}://{next.Authority}, outside the gateway; only https is followed there";
            return null;
        }
        return (next, false);
    }

    /// <summary>The gateway's origin, or a subdomain of its host name with the same scheme and port (a subdomain gateway).</summary>
    private bool OnGateway(Uri address) =>
        _gateway is { } gateway
        && address.Scheme == gateway.Scheme
        && address.Port == gateway.Port
        && (string.Equals(address.IdnHost, gateway.IdnHost, StringComparison.OrdinalIgnoreCase)
            || (gateway.HostNameType == UriHostNameType.Dns && address.HostNameType == UriHostNameType.Dns
                && address.IdnHost.EndsWith("." + gateway.IdnHost, StringComparison.OrdinalIgnoreCase)));

    private async Task<FetchResult> ReadBodyAsync(HttpContent content, CancellationToken cancellationToken)
    {
        var stream = await content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            var buffer = new byte[Math.Min(_maxBytes + 1, 16 * 1024)];
            int length = 0;
            while (true)
            {
                if (length == buffer.Length)
                {
                    if (length > _maxBytes)
                    {
                        return TooLarge();
                    }
                    Array.Resize(ref buffer, Math.Min(buffer.Length * 2, _maxBytes + 1));
                }
                int read = await stream.ReadAsync(buffer.AsMemory(length), cancellationToken).ConfigureAwait(false);
                if (read == 0)
                {
                    break;
                }
                length += read;
            }
            return length > _maxBytes ? TooLarge() : FetchResult.Ok(buffer[..length]);
        }
    }

    private FetchResult TooLarge() =>
        FetchResult.Permanent(string.Create(CultureInfo.InvariantCulture, $"the answer is over {_maxBytes} bytes"));

    private TimeSpan? RetryAfter(HttpResponseMessage response)
    {
        var header = response.Headers.RetryAfter;
        if (header?.Delta is { } delta)
        {
            return delta;
        }
        if (header?.Date is { } date)
        {
            var wait = date - time.GetUtcNow();
            return wait > TimeSpan.Zero ? wait : TimeSpan.Zero;
        }
        return null;
    }

    /// <summary>
    /// The two named clients: no HttpClient timeout (each attempt has its own), no automatic redirects (followed hop by
    /// hop above), no proxy, no per-request logs.
    /// </summary>
    public static void AddClients(IServiceCollection services)
    {
        services.AddHttpClient(GatewayClient, client => client.Timeout = Timeout.InfiniteTimeSpan)
            .ConfigurePrimaryHttpMessageHandler(() => Handler())
            .RemoveAllLoggers();
        services.AddHttpClient(DirectClient, client => client.Timeout = Timeout.InfiniteTimeSpan)
            .ConfigurePrimaryHttpMessageHandler(services => DirectHandler(services.GetRequiredService<DirectFetchTestAllowance>()))
            .RemoveAllLoggers();
    }

    private static SocketsHttpHandler Handler() => new()
    {
        AllowAutoRedirect = false,
        // Direct connections only, whatever HTTP_PROXY, HTTPS_PROXY or ALL_PROXY say: through a proxy the address guard
        // would judge the proxy's address, and the target's would never be seen.
        UseProxy = false,
        // Gateways compress; the size cap applies to the decompressed bytes, which are what is read.
        AutomaticDecompression = DecompressionMethods.All,
        PooledConnectionLifetime = TimeSpan.FromMinutes(5),
        ConnectTimeout = TimeSpan.FromSeconds(30),
    };

    private static SocketsHttpHandler DirectHandler(DirectFetchTestAllowance allowance)
    {
        var handler = Handler();
        handler.ConnectCallback = (context, cancellationToken) => PublicAddressConnector.ConnectAsync(context, allowance.LoopbackAllowed, cancellationToken);
        if (allowance.TrustedCertificate is { } certificate)
        {
            var policy = new X509ChainPolicy { TrustMode = X509ChainTrustMode.CustomRootTrust, RevocationMode = X509RevocationMode.NoCheck };
            policy.CustomTrustStore.Add(certificate);
            handler.SslOptions.CertificateChainPolicy = policy;
        }
        return handler;
    }
}
