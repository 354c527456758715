using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using SpinPet.EndToEnd.Tests.Harness;
using SpinPet.EndToEnd.Tests.Operations;

namespace SpinPet.EndToEnd.Tests.WebSockets;

/// <summary>
/// <c>websocket.early_accept</c> on the real server: which upgrades are taken at the connection level (counted by
/// <c>spinpet_ws_connection_level_accepts_total</c>), which of them off the bare socket (<c>EarlySocketListener</c>,
/// <c>spinpet_ws_socket_level_accepts_total</c>), and that everything else reaches Kestrel with its bytes intact and is
/// answered as before.
/// </summary>
public sealed class EarlySocketAcceptTests
{
    private const string Accepts = "spinpet_ws_connection_level_accepts_total";

    private const string SocketAccepts = "spinpet_ws_socket_level_accepts_total";

    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task An_upgrade_that_opens_its_connection_is_taken_early_and_served_like_any_other()
    {
        await using var server = await StartAsync([]);
        using var client = await StalledClient.ConnectAsync(server.BaseUri);
        await AssertAnswersPingAsync(client);
        Assert.Equal(1, await AcceptsAsync(server));
        Assert.Equal(1, await AcceptsAsync(server, SocketAccepts));
        // The 101 is ours, not Kestrel's (which adds Date and Server).
        Assert.DoesNotContain("Server:", client.ResponseHead, StringComparison.Ordinal);
    }

    [Fact]
    public async Task With_early_accept_off_every_upgrade_goes_through_Kestrel()
    {
        await using var server = await StartAsync(new() { ["SPIN_WEBSOCKET__EARLY_ACCEPT"] = "false" });
        using var client = await StalledClient.ConnectAsync(server.BaseUri);
        await AssertAnswersPingAsync(client);
        Assert.Equal(0, await AcceptsAsync(server));
        Assert.Equal(0, await AcceptsAsync(server, SocketAccepts));
    }

    [Fact]
    public async Task An_upgrade_after_a_request_on_the_same_connection_reaches_Kestrel_intact()
    {
        await using var server = await StartAsync([]);
        using var tcp = await ConnectAsync(server);
        var stream = tcp.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes($"GET /health HTTP/1.1\r\nHost: {server.BaseUri.Authority}\r\n\r\n"), TestContext.Current.CancellationToken);
        string health = await ReadHeadAsync(stream);
        Assert.StartsWith("HTTP/1.1 200", health, StringComparison.Ordinal);
        await SkipBodyAsync(stream, health);

        await stream.WriteAsync(Encoding.ASCII.GetBytes(UpgradeRequest("/ws", server.BaseUri.Authority)), TestContext.Current.CancellationToken);
        string upgrade = await ReadHeadAsync(stream);
        Assert.StartsWith("HTTP/1.1 101", upgrade, StringComparison.Ordinal);
        Assert.Contains("Server: Kestrel", upgrade, StringComparison.Ordinal);
        Assert.Equal(0, await AcceptsAsync(server));
    }

    [Theory]
    [InlineData("/WS")] // routing ignores case; the early reader does not
    [InlineData("/ws/")] // routing ignores a trailing slash
    public async Task An_upgrade_the_early_reader_does_not_take_is_still_answered_by_Kestrel(string target)
    {
        await using var server = await StartAsync([]);
        using var client = await StalledClient.ConnectAsync(server.BaseUri, target: target);
        await AssertAnswersPingAsync(client);
        Assert.Contains("Server: Kestrel", client.ResponseHead, StringComparison.Ordinal);
        Assert.Equal(0, await AcceptsAsync(server));
    }

    [Fact]
    public async Task A_refused_upgrade_is_answered_by_Kestrel_and_counted_once()
    {
        await using var server = await StartAsync(new() { ["SPIN_WEBSOCKET__MAX_CONNECTIONS"] = "1" });
        using var first = await StalledClient.ConnectAsync(server.BaseUri);
        var refused = await Assert.ThrowsAsync<UpgradeRefusedException>(() => StalledClient.ConnectAsync(server.BaseUri));
        Assert.StartsWith("HTTP/1.1 503", refused.ResponseHead, StringComparison.Ordinal);
        var metrics = await MetricsTests.ScrapeAsync(server);
        Assert.Equal(1, MetricsTests.Sample(metrics, "spinpet_ws_refused_connections_total"));
        Assert.Equal(1, MetricsTests.Sample(metrics, Accepts));
    }

    [Fact]
    public async Task Early_upgrades_draw_on_the_addresses_request_rate_like_any_request()
    {
        // A bucket of 3 that refills one token a second: upgrades in a row pass until it is empty, then a 429. (A
        // refill between two of them lets one more through; the count of ten leaves room for that.)
        await using var server = await StartAsync(new()
        {
            ["SPIN_REST__MAX_REQUESTS_PER_SECOND"] = "1",
            ["SPIN_REST__BURST"] = "3",
        });
        var open = new List<StalledClient>();
        UpgradeRefusedException? limited = null;
        while (limited is null && open.Count < 10)
        {
            try
            {
                open.Add(await StalledClient.ConnectAsync(server.BaseUri, "127.0.0.3"));
            }
            catch (UpgradeRefusedException refused)
            {
                limited = refused;
            }
        }
        Assert.NotNull(limited);
        Assert.StartsWith("HTTP/1.1 429", limited.ResponseHead, StringComparison.Ordinal);
        Assert.InRange(open.Count, 3, 9);
        Assert.Equal(open.Count, await AcceptsAsync(server));
        foreach (var client in open)
        {
            client.Dispose();
        }
    }

    [Fact]
    public async Task An_upgrade_sent_in_pieces_is_taken_once_complete_over_Kestrels_transport_if_not_off_the_socket()
    {
        await using var server = await StartAsync([]);
        using var tcp = await ConnectAsync(server);
        var stream = tcp.GetStream();
        byte[] request = Encoding.ASCII.GetBytes(UpgradeRequest("/ws", server.BaseUri.Authority));
        // Cut inside "GET /ws", inside the request line and inside a header.
        int[] cuts = [0, 2, 9, 40, request.Length];
        for (int i = 1; i < cuts.Length; i++)
        {
            await stream.WriteAsync(request.AsMemory(cuts[i - 1], cuts[i] - cuts[i - 1]), TestContext.Current.CancellationToken);
        }
        Assert.StartsWith("HTTP/1.1 101", await ReadHeadAsync(stream), StringComparison.Ordinal);
        Assert.Equal(1, await AcceptsAsync(server));
    }

    [Fact]
    public async Task A_connection_silent_past_the_window_goes_to_Kestrel_whose_connection_middleware_still_takes_its_upgrade()
    {
        await using var server = await StartAsync([]);
        using var tcp = await ConnectAsync(server);
        var stream = tcp.GetStream();
        // The stimulus is the silence itself: the listener's 3 s window for a first byte closes, the connection becomes
        // Kestrel's with nothing read, and the upgrade that follows is taken by the middleware over Kestrel's transport.
        await Task.Delay(TimeSpan.FromSeconds(4), TestContext.Current.CancellationToken);
        await stream.WriteAsync(Encoding.ASCII.GetBytes(UpgradeRequest("/ws", server.BaseUri.Authority)), TestContext.Current.CancellationToken);
        string head = await ReadHeadAsync(stream);
        Assert.StartsWith("HTTP/1.1 101", head, StringComparison.Ordinal);
        Assert.DoesNotContain("Server:", head, StringComparison.Ordinal);
        Assert.Equal(1, await AcceptsAsync(server));
        Assert.Equal(0, await AcceptsAsync(server, SocketAccepts));
    }

    [Fact]
    public async Task An_upgrade_slower_than_the_decision_window_is_handed_to_Kestrel_with_the_bytes_it_sent()
    {
        await using var server = await StartAsync([]);
        using var tcp = await ConnectAsync(server);
        var stream = tcp.GetStream();
        byte[] request = Encoding.ASCII.GetBytes(UpgradeRequest("/ws", server.BaseUri.Authority));
        await stream.WriteAsync(request.AsMemory(0, 30), TestContext.Current.CancellationToken);
        // The stimulus is the client's slowness itself: the rest comes after the 3 s window (EarlySocketAccept) has
        // closed, so Kestrel reads the request from its first byte.
        await Task.Delay(TimeSpan.FromSeconds(4), TestContext.Current.CancellationToken);
        await stream.WriteAsync(request.AsMemory(30), TestContext.Current.CancellationToken);
        string head = await ReadHeadAsync(stream);
        Assert.StartsWith("HTTP/1.1 101", head, StringComparison.Ordinal);
        Assert.Contains("Server: Kestrel", head, StringComparison.Ordinal);
        Assert.Equal(0, await AcceptsAsync(server));
    }

    private static async Task AssertAnswersPingAsync(StalledClient client)
    {
        // connection_success comes first.
        await client.SendAsync("{\"msg_type\":\"ping\"}");
        var types = new List<string>();
        while (!types.Contains("pong") && types.Count < 3)
        {
            var (opcode, payload) = await client.ReadFrameAsync(Wait);
            Assert.Equal(0x1, opcode);
            using var message = System.Text.Json.JsonDocument.Parse(payload);
            types.Add(message.RootElement.GetProperty("type").GetString()!);
        }
        Assert.Equal(["connection_success", "pong"], types);
    }

    /// <summary>A plain TCP connection to the server, each write its own segment.</summary>
    private static async Task<TcpClient> ConnectAsync(ServerProcess server)
    {
        var tcp = new TcpClient { NoDelay = true };
        await tcp.ConnectAsync(server.BaseUri.Host, server.BaseUri.Port, TestContext.Current.CancellationToken);
        return tcp;
    }

    private static async Task<double> AcceptsAsync(ServerProcess server, string counter = Accepts) =>
        MetricsTests.Sample(await MetricsTests.ScrapeAsync(server), counter) ?? 0;

    private static string UpgradeRequest(string target, string host) =>
        $"GET {target} HTTP/1.1\r\nHost: {host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        + $"Sec-WebSocket-Key: {Convert.ToBase64String(RandomNumberGenerator.GetBytes(16))}\r\nSec-WebSocket-Version: 13\r\n\r\n";

    /// <summary>Reads a response head byte by byte, so nothing after it is consumed.</summary>
    private static async Task<string> ReadHeadAsync(NetworkStream stream)
    {
        using var timeout = new CancellationTokenSource(Wait);
        var head = new StringBuilder();
        var one = new byte[1];
        while (!head.ToString().EndsWith("\r\n\r\n", StringComparison.Ordinal))
        {
            if (await stream.ReadAsync(one, timeout.Token) == 0)
            {
                throw new IOException("closed before the response head ended: " + head);
            }
            head.Append((char)one[0]);
        }
        return head.ToString();
    }

    /// <summary>Reads a response body framed by Content-Length or chunked, to leave the connection at the next response.</summary>
    private static async Task SkipBodyAsync(NetworkStream stream, string head)
    {
        var lines = head.Split("\r\n");
        var length = lines.FirstOrDefault(line => line.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase));
        if (length is not null)
        {
            await stream.ReadExactlyAsync(new byte[int.Parse(length["Content-Length:".Length..].Trim(), System.Globalization.CultureInfo.InvariantCulture)],
                TestContext.Current.CancellationToken);
            return;
        }
        Assert.Contains(lines, line => line.Equals("Transfer-Encoding: chunked", StringComparison.OrdinalIgnoreCase));
        var body = new StringBuilder();
        var one = new byte[1];
        while (!body.ToString().EndsWith("\r\n0\r\n\r\n", StringComparison.Ordinal) && !body.ToString().StartsWith("0\r\n\r\n", StringComparison.Ordinal))
        {
            await stream.ReadExactlyAsync(one, TestContext.Current.CancellationToken);
            body.Append((char)one[0]);
        }
    }

    private static Task<ServerProcess> StartAsync(Dictionary<string, string> settings)
    {
        settings["SPIN_DATABASE__ROCKSDB_PATH"] = Path.Combine(Path.GetTempPath(), "spinpet-early-" + Guid.NewGuid().ToString("N"));
        settings["SPIN_SOLANA__ENABLE_EVENT_LISTENER"] = "false";
        return ServerProcess.StartAsync(settings);
    }
}
