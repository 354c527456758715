using System.Globalization;
using System.Net;
using Microsoft.Extensions.Options;
using SpinPet.Server.Configuration;

namespace SpinPet.Server.Metadata;

/// <summary>
/// One metadata fetch with its retries. Each attempt has its own timeout (<c>ipfs.timeout_ms</c>, covering connect,
/// headers and body) and reads at most <c>ipfs.max_response_bytes</c>. Transient failures (timeouts, connection errors,
/// 408, 429, 5xx) are retried with capped exponential back-off, honouring <c>Retry-After</c>; permanent ones (other 4xx,
/// too large, a refused address, too many redirects) end the fetch at once.
/// </summary>
internal sealed class TokenMetadataFetcher(
    IHttpClientFactory clients, IOptions<IpfsOptions> options, TokenMetadataCounters counters, MetadataRetryPolicy retry, TimeProvider time)
{
    /// <summary>The operator's gateway: trusted, may be on a private address (a local IPFS node).</summary>
    public const string GatewayClient = "token-metadata-gateway";

    /// <summary>A token's own https uri: only public addresses (<see cref="PublicAddressConnector"/>).</summary>
    public const string DirectClient = "token-metadata-direct";

    private readonly TimeSpan _timeout = TimeSpan.FromMilliseconds(options.Value.TimeoutMs);
    private readonly int _maxBytes = options.Value.MaxResponseBytes;

    public MetadataRetryPolicy Retry => retry;

    /// <summary>Fetches until a body, a permanent failure, or <see cref="MetadataRetryPolicy.MaxAttempts"/> transient failures.</summary>
    public async Task<FetchResult> FetchAsync(MetadataTarget target, CancellationToken cancellationToken)
    {
        for (int attempt = 1; ; attempt++)
        {
            var result = await AttemptAsync(target, cancellationToken).ConfigureAwait(false);
            if (result.Outcome != FetchOutcome.Transient)
            {
                return result;
            }
            if (attempt >= retry.MaxAttempts)
            {
                return result with { Problem = $"{result.Problem} ({attempt} attempts)" };
            }
            counters.AddRetry();
            await Task.Delay(retry.Delay(attempt, result.RetryAfter), time, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task<FetchResult> AttemptAsync(MetadataTarget target, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_timeout);
        var client = clients.CreateClient(target.ViaGateway ? GatewayClient : DirectClient);
        counters.EnterRequest();
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, target.Address);
            request.Headers.Accept.ParseAdd("application/json");
            using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token).ConfigureAwait(false);
            int status = (int)response.StatusCode;
            if (status is 408 or 429 or >= 500)
            {
                return FetchResult.Transient($"HTTP {status}", RetryAfter(response));
            }
            if (status is < 200 or >= 300)
            {
                // 3xx here means more redirects than the handler follows.
                return FetchResult.Permanent($"HTTP {status}");
            }
            if (response.Content.Headers.ContentLength > _maxBytes)
            {
                return TooLarge();
            }
            return await ReadBodyAsync(response.Content, timeout.Token).ConfigureAwait(false);
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

    /// <summary>The two named clients: no HttpClient timeout (each attempt has its own), few redirects, no per-request logs.</summary>
    public static void AddClients(IServiceCollection services)
    {
        services.AddHttpClient(GatewayClient, client => client.Timeout = Timeout.InfiniteTimeSpan)
            .ConfigurePrimaryHttpMessageHandler(() => Handler(direct: false))
            .RemoveAllLoggers();
        services.AddHttpClient(DirectClient, client => client.Timeout = Timeout.InfiniteTimeSpan)
            .ConfigurePrimaryHttpMessageHandler(() => Handler(direct: true))
            .RemoveAllLoggers();
    }

    private static SocketsHttpHandler Handler(bool direct)
    {
        var handler = new SocketsHttpHandler
        {
            MaxAutomaticRedirections = 5,
            // Gateways compress; the size cap applies to the decompressed bytes, which are what is read.
            AutomaticDecompression = DecompressionMethods.All,
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            ConnectTimeout = TimeSpan.FromSeconds(30),
        };
        if (direct)
        {
            handler.ConnectCallback = PublicAddressConnector.ConnectAsync;
        }
        return handler;
    }
}
