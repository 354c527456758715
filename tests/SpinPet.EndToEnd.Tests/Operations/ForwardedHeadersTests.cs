using System.Net;
using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Text.Json;
using SpinPet.EndToEnd.Tests.Harness;
using SpinPet.EndToEnd.Tests.Rest;
using SpinPet.TestSupport;

namespace SpinPet.EndToEnd.Tests.Operations;

/// <summary>
/// Behind a reverse proxy (server.forwarded_headers, server.known_proxies): the per-address limits — the REST bucket and
/// the /ws connections per IP — and what the server records of a session see the client of X-Forwarded-For, but only
/// when the request comes from a listed proxy. The test client plays the proxy (it connects from 127.0.0.1).
/// </summary>
public sealed class ForwardedHeadersTests
{
    private const string AdminKey = "forwarded-headers-test-admin-key";

    [Fact]
    public async Task From_a_known_proxy_each_forwarded_client_has_its_own_bucket_and_socket_allowance()
    {
        using var database = new TempFolder("spinpet-forwarded");
        await using var server = await StartAsync(database, new()
        {
            ["SPIN_SERVER__FORWARDED_HEADERS"] = "true",
            ["SPIN_SERVER__KNOWN_PROXIES__0"] = "127.0.0.1",
        });

        using (await DrainAsync(server, "203.0.113.7"))
        {
        }
        using (var other = await GetAsync(server, "203.0.113.8"))
        {
            Assert.Equal(HttpStatusCode.OK, other.StatusCode);
        }
        // The proxy's own requests (no header) are its own address's.
        using (var own = await GetAsync(server, forwardedFor: null))
        {
            Assert.Equal(HttpStatusCode.OK, own.StatusCode);
        }
        // A client that spoofs the header through the proxy gets the address the proxy appended, not its own claim.
        using (await DrainAsync(server, "203.0.113.9"))
        {
        }
        using (var spoofed = await GetAsync(server, "198.51.100.77, 203.0.113.9"))
        {
            Assert.Equal(HttpStatusCode.TooManyRequests, spoofed.StatusCode);
        }

        // One socket per client address: a second from the same client is refused, another client's is admitted.
        using var first = await ConnectAsync(server, "198.51.100.1");
        var refused = await RefusedAsync(server, "198.51.100.1");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, refused);
        using var second = await ConnectAsync(server, "198.51.100.2");
        // The sessions are recorded under the clients' addresses (the admin view shows what their logs show).
        await SessionAddressesAreAsync(server, "198.51.100.1", "198.51.100.2");
    }

    [Fact]
    public async Task Socket_allowances_count_an_IPv6_64_as_one_address_and_an_IPv4_mapped_address_as_its_IPv4_address()
    {
        // The loopback interface has one IPv6 address (::1), so the clients are a listed proxy's X-Forwarded-For
        // clients: the address the server sees is theirs, exactly as for a direct connection.
        using var database = new TempFolder("spinpet-forwarded");
        await using var server = await StartAsync(database, new()
        {
            ["SPIN_SERVER__FORWARDED_HEADERS"] = "true",
            ["SPIN_SERVER__KNOWN_PROXIES__0"] = "127.0.0.1",
        });

        // One socket per address (max_connections_per_ip = 1): another address of the same /64 is the same client.
        using var first = await ConnectAsync(server, "2001:db8:1:2::a");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, await RefusedAsync(server, "2001:db8:1:2:ffff:ffff:ffff:ffff"));
        using var nextNetwork = await ConnectAsync(server, "2001:db8:1:3::a");
        using var v4 = await ConnectAsync(server, "198.51.100.1");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, await RefusedAsync(server, "::ffff:198.51.100.1"));
        // Sessions keep the client's whole address for the logs and the admin view.
        await SessionAddressesAreAsync(server, "198.51.100.1", "2001:db8:1:2::a", "2001:db8:1:3::a");

        // The slot is the /64's: when its connection leaves, another address of it may connect (the slot is given
        // back just after the session leaves the list, so a refusal in between is retried).
        await first.CloseAsync(WebSocketCloseStatus.NormalClosure, "", TestContext.Current.CancellationToken);
        ClientWebSocket? again = null;
        await Eventually.TrueAsync(async () =>
        {
            var socket = new ClientWebSocket();
            socket.Options.SetRequestHeader("X-Forwarded-For", "2001:db8:1:2::b");
            try
            {
                await socket.ConnectAsync(RateLimitTests.SocketUri(server), TestContext.Current.CancellationToken);
                again = socket;
                return true;
            }
            catch (WebSocketException)
            {
                socket.Dispose();
                return false;
            }
        }, TimeSpan.FromSeconds(30), "a socket from another address of the first /64");
        again!.Dispose();
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Without_forwarding_or_from_a_proxy_not_listed_X_Forwarded_For_is_ignored(bool forwardingToAnotherProxy)
    {
        using var database = new TempFolder("spinpet-forwarded");
        var settings = new Dictionary<string, string>();
        if (forwardingToAnotherProxy)
        {
            settings["SPIN_SERVER__FORWARDED_HEADERS"] = "true";
            settings["SPIN_SERVER__KNOWN_PROXIES__0"] = "10.9.9.9";
        }
        await using var server = await StartAsync(database, settings);

        // Sockets first (each upgrade takes a token of the one shared bucket): two "clients", one address.
        using var first = await ConnectAsync(server, "198.51.100.1");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, await RefusedAsync(server, "198.51.100.2"));
        await SessionAddressesAreAsync(server, "127.0.0.1");

        using (await DrainAsync(server, "203.0.113.7"))
        {
        }
        using var other = await GetAsync(server, "203.0.113.8");
        Assert.Equal(HttpStatusCode.TooManyRequests, other.StatusCode);
    }

    private static Task<ServerProcess> StartAsync(TempFolder database, Dictionary<string, string> settings)
    {
        // A bucket of 3 at 1/s: three requests pass, the fourth is refused (the admin view has its own client).
        settings["SPIN_REST__MAX_REQUESTS_PER_SECOND"] = "1";
        settings["SPIN_REST__BURST"] = "3";
        settings["SPIN_WEBSOCKET__MAX_CONNECTIONS_PER_IP"] = "1";
        settings["SPIN_SECURITY__ADMIN_API_KEY"] = AdminKey;
        return RateLimitTests.StartAsync(database, settings);
    }

    private static async Task<HttpResponseMessage> DrainAsync(ServerProcess server, string forwardedFor)
    {
        var limited = await RateLimitTests.DrainAsync(server.Http, "/api/time", forwardedFor);
        Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);
        return limited;
    }

    private static Task<HttpResponseMessage> GetAsync(ServerProcess server, string? forwardedFor)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, "/api/time");
        if (forwardedFor is not null)
        {
            request.Headers.Add("X-Forwarded-For", forwardedFor);
        }
        return server.Http.SendAsync(request, TestContext.Current.CancellationToken);
    }

    private static async Task<ClientWebSocket> ConnectAsync(ServerProcess server, string forwardedFor)
    {
        var socket = new ClientWebSocket();
        socket.Options.SetRequestHeader("X-Forwarded-For", forwardedFor);
        await socket.ConnectAsync(RateLimitTests.SocketUri(server), TestContext.Current.CancellationToken);
        return socket;
    }

    private static async Task<HttpStatusCode> RefusedAsync(ServerProcess server, string forwardedFor)
    {
        using var socket = new ClientWebSocket();
        socket.Options.SetRequestHeader("X-Forwarded-For", forwardedFor);
        socket.Options.CollectHttpResponseDetails = true;
        await Assert.ThrowsAsync<WebSocketException>(() => socket.ConnectAsync(RateLimitTests.SocketUri(server), TestContext.Current.CancellationToken));
        return socket.HttpStatusCode;
    }

    /// <summary>
    /// Waits until the open sessions' remote addresses are <paramref name="expected"/> (a session is registered just after
    /// its 101), read from the admin route with a loopback address and bucket of its own.
    /// </summary>
    private static async Task SessionAddressesAreAsync(ServerProcess server, params string[] expected)
    {
        using var admin = RateLimitTests.FromAddress(server, "127.0.0.3");
        admin.DefaultRequestHeaders.Add("X-Admin-Key", AdminKey);
        await Eventually.TrueAsync(async () =>
        {
            // This client's bucket is small too: a 429 is another wait, not a failure.
            using var response = await admin.GetAsync("/api/kline/subscriptions", TestContext.Current.CancellationToken);
            if (response.StatusCode == HttpStatusCode.TooManyRequests)
            {
                return false;
            }
            var body = await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);
            var seen = body.GetProperty("data").GetProperty("connections").EnumerateArray()
                .Select(c => c.GetProperty("remote_address").GetString()!).Order(StringComparer.Ordinal);
            return seen.SequenceEqual(expected);
        }, TimeSpan.FromSeconds(30), "sessions of " + string.Join(", ", expected));
    }
}
