using System.Net;
using SpinPet.SocketIO.Tests.Hosting;

namespace SpinPet.SocketIO.Tests.Http;

/// <summary>The Engine.IO handshake over real HTTP, and every refusal the reference server answers with its error JSON.</summary>
public sealed class HandshakeTests
{
    [Fact]
    public async Task Polling_handshake_answers_the_open_packet_with_the_session_and_limits()
    {
        await using var host = await SocketIOTestHost.StartAsync();
        using var client = new PollingClient(new Uri(host.BaseUrl));
        await client.OpenAsync();
        Assert.Equal(20, client.Sid.Length);
        Assert.Equal("""["websocket"]""", client.Handshake.GetProperty("upgrades").GetRawText());
        Assert.Equal(25000, client.Handshake.GetProperty("pingInterval").GetInt32());
        Assert.Equal(20000, client.Handshake.GetProperty("pingTimeout").GetInt32());
        Assert.Equal(1048576, client.Handshake.GetProperty("maxPayload").GetInt32());
        Assert.Equal(1, host.Server.Counters.PollingSessions);
    }

    [Theory]
    [InlineData("EIO=3&transport=polling", 5, "Unsupported protocol version")]
    [InlineData("transport=polling", 5, "Unsupported protocol version")]
    [InlineData("EIO=5&transport=polling", 5, "Unsupported protocol version")]
    [InlineData("EIO=4&transport=flashsocket", 0, "Transport unknown")]
    [InlineData("EIO=4", 0, "Transport unknown")]
    [InlineData("EIO=4&transport=polling&sid=AAAAAAAAAAAAAAAAAAAA", 1, "Session ID unknown")]
    [InlineData("EIO=4&transport=websocket", 3, "websocket transport without an upgrade")]
    [InlineData("EIO=4&transport=polling&j=0", 3, "JSONP polling is not supported")]
    public async Task Bad_handshake_gets_the_engine_io_error_and_http_400(string query, int code, string message)
    {
        await using var host = await SocketIOTestHost.StartAsync();
        using var http = new HttpClient();
        using var response = await http.GetAsync(host.Endpoint(query), TestContext.Current.CancellationToken);
        await EngineErrorAssert.IsAsync(response, HttpStatusCode.BadRequest, code, message);
        Assert.Equal(0, host.Server.Counters.TotalSessions);
        Assert.Equal(1, host.Server.Counters.RefusedRequests);
    }

    [Fact]
    public async Task A_host_check_refuses_with_forbidden_and_403()
    {
        await using var host = await SocketIOTestHost.StartAsync();
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri($"{host.BaseUrl}/guarded/?EIO=4&transport=polling"));
        request.Headers.TryAddWithoutValidation("Origin", SocketIOTestHost.ForbiddenOrigin);
        using var response = await http.SendAsync(request, TestContext.Current.CancellationToken);
        await EngineErrorAssert.IsAsync(response, HttpStatusCode.Forbidden, 4, "origin not allowed");
        Assert.Equal(0, host.Server.Counters.TotalSessions);
        Assert.Equal(1, host.Server.Counters.RefusedRequests);
    }

    [Fact]
    public async Task Post_handshake_is_a_bad_handshake_method()
    {
        await using var host = await SocketIOTestHost.StartAsync();
        using var http = new HttpClient();
        using var response = await http.PostAsync(host.Endpoint("EIO=4&transport=polling"), new StringContent("40"), TestContext.Current.CancellationToken);
        await EngineErrorAssert.IsAsync(response, HttpStatusCode.BadRequest, 2, "Bad handshake method");
    }

    [Fact]
    public async Task Handshakes_past_the_polling_session_bound_get_503()
    {
        await using var host = await SocketIOTestHost.StartAsync(new SocketIOServerOptions { MaxPollingSessions = 2 });
        using var first = new PollingClient(new Uri(host.BaseUrl));
        using var second = new PollingClient(new Uri(host.BaseUrl));
        await first.OpenAsync();
        await second.OpenAsync();
        using var http = new HttpClient();
        using var refused = await http.GetAsync(host.Endpoint("EIO=4&transport=polling"), TestContext.Current.CancellationToken);
        await EngineErrorAssert.IsAsync(refused, HttpStatusCode.ServiceUnavailable, 3, "too many polling sessions");
        Assert.Equal(2, host.Server.Counters.PollingSessions);
        Assert.Equal(1, host.Server.Counters.RefusedAtCapacity);

        // A session that ends gives its slot back.
        await first.PostOkAsync("1");
        using var admitted = await http.GetAsync(host.Endpoint("EIO=4&transport=polling"), TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, admitted.StatusCode);
    }

    [Fact]
    public async Task Handshakes_past_the_per_address_bound_get_503()
    {
        await using var host = await SocketIOTestHost.StartAsync(new SocketIOServerOptions { MaxSessionsPerAddress = 1 });
        using var first = new PollingClient(new Uri(host.BaseUrl));
        await first.OpenAsync();
        using var http = new HttpClient();
        using var refused = await http.GetAsync(host.Endpoint("EIO=4&transport=polling"), TestContext.Current.CancellationToken);
        await EngineErrorAssert.IsAsync(refused, HttpStatusCode.ServiceUnavailable, 3, "too many sessions from this address");
        Assert.Equal(1, host.Server.Counters.ActiveSessions);
        Assert.Equal(1, host.Server.Counters.PollingSessions);
    }
}
