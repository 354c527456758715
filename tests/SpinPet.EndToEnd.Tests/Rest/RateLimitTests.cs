using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text.Json;
using SpinPet.EndToEnd.Tests.Harness;
using SpinPet.TestSupport;

namespace SpinPet.EndToEnd.Tests.Rest;

/// <summary>
/// The per-address token bucket ([rest]) on the real server: past the burst, 429 with Retry-After and the envelope,
/// for every HTTP request but the probes; another address has its own bucket; the bucket refills.
/// </summary>
public sealed class RateLimitTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Past_its_burst_an_address_gets_429_with_retry_after_while_other_addresses_and_the_probes_are_served()
    {
        using var database = new TempFolder("spinpet-ratelimit");
        await using var server = await StartAsync(database, new() { ["SPIN_REST__MAX_REQUESTS_PER_SECOND"] = "1", ["SPIN_REST__BURST"] = "5" });
        var ct = TestContext.Current.CancellationToken;

        using var limited = await DrainAsync(server.Http, "/api/time");
        Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);
        // Whole seconds (RFC 9110), at least one: the next token of a 1/s bucket.
        Assert.Equal(TimeSpan.FromSeconds(1), limited.Headers.RetryAfter?.Delta);
        Assert.Equal("application/json", limited.Content.Headers.ContentType?.MediaType);
        await RestLedgerTests.AssertErrorAsync(limited, HttpStatusCode.TooManyRequests,
            "Too many requests from your address: at most 1 per second (bursts of 5); retry after 1 s");

        // Every other HTTP request of the address shares the bucket: other routes, the chart page, /ws upgrades.
        // A loaded machine may let a second pass between the drain and the request, and the refilled token serves it:
        // each path gets three tries, each right after a drain. A path with a bucket of its own (burst 5) would answer
        // all three.
        foreach (var path in new[] { "/api/events/status", "/api/no_such_route", "/", "/openapi/v1.json" })
        {
            var answers = new List<HttpStatusCode>();
            for (int attempt = 0; attempt < 3 && !answers.Contains(HttpStatusCode.TooManyRequests); attempt++)
            {
                (await DrainAsync(server.Http, "/api/time")).Dispose();
                using var response = await server.Http.GetAsync(path, ct);
                answers.Add(response.StatusCode);
            }
            Assert.True(answers.Contains(HttpStatusCode.TooManyRequests), $"{path}: {string.Join(", ", answers)}");
        }
        var upgrades = new List<HttpStatusCode>();
        for (int attempt = 0; attempt < 3 && !upgrades.Contains(HttpStatusCode.TooManyRequests); attempt++)
        {
            (await DrainAsync(server.Http, "/api/time")).Dispose();
            using var socket = new ClientWebSocket();
            socket.Options.CollectHttpResponseDetails = true;
            try
            {
                await socket.ConnectAsync(SocketUri(server), ct);
            }
            catch (WebSocketException)
            {
            }
            upgrades.Add(socket.HttpStatusCode);
        }
        Assert.Contains(HttpStatusCode.TooManyRequests, upgrades);

        // The probes are not limited: an orchestrator or a scraper at a busy address still gets its answer.
        using (var health = await server.Http.GetAsync("/health", ct))
        {
            Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        }
        var metrics = await server.Http.GetStringAsync("/metrics", ct);
        Assert.Contains("aspnetcore_rate_limiting_result=\"global_limiter\"", metrics, StringComparison.Ordinal);

        // Another address has a bucket of its own.
        using (var other = FromAddress(server, "127.0.0.2"))
        {
            using var served = await other.GetAsync("/api/time", ct);
            Assert.Equal(HttpStatusCode.OK, served.StatusCode);
        }

        // And the bucket refills: a request that was refused takes no token, so polling does not keep it empty.
        await Eventually.TrueAsync(async () =>
        {
            using var again = await server.Http.GetAsync("/api/time", ct);
            return again.StatusCode == HttpStatusCode.OK;
        }, Wait, "the address served again");
    }

    /// <summary>Requests <paramref name="path"/> until the answer is 429 and returns that answer.</summary>
    internal static async Task<HttpResponseMessage> DrainAsync(HttpClient http, string path, string? forwardedFor = null)
    {
        // Far more than any burst these tests configure: a refill between two requests only adds one.
        for (int i = 0; i < 100; i++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, path);
            if (forwardedFor is not null)
            {
                request.Headers.Add("X-Forwarded-For", forwardedFor);
            }
            var response = await http.SendAsync(request, TestContext.Current.CancellationToken);
            if (response.StatusCode == HttpStatusCode.TooManyRequests)
            {
                return response;
            }
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            response.Dispose();
        }
        throw new InvalidOperationException($"{path} was never limited");
    }

    /// <summary>An HTTP client whose connections come from another loopback address (another client IP).</summary>
    internal static HttpClient FromAddress(ServerProcess server, string localAddress)
    {
        var handler = new SocketsHttpHandler
        {
            ConnectCallback = async (context, cancellationToken) =>
            {
                var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                try
                {
                    socket.Bind(new IPEndPoint(IPAddress.Parse(localAddress), 0));
                    await socket.ConnectAsync(context.DnsEndPoint, cancellationToken);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch (Exception)
                {
                    socket.Dispose();
                    throw;
                }
            },
        };
        return new HttpClient(handler) { BaseAddress = server.BaseUri, Timeout = Wait };
    }

    internal static Uri SocketUri(ServerProcess server) => new UriBuilder(server.BaseUri) { Scheme = "ws", Path = "/ws" }.Uri;

    internal static Task<ServerProcess> StartAsync(TempFolder database, Dictionary<string, string> settings)
    {
        settings["SPIN_DATABASE__ROCKSDB_PATH"] = database.Path;
        settings["SPIN_SOLANA__ENABLE_EVENT_LISTENER"] = "false";
        return ServerProcess.StartAsync(settings);
    }
}
