using System.Net;
using Microsoft.AspNetCore.Http;
using SpinPet.WebSockets;

namespace SpinPet.WebSockets.Tests;

public sealed class WebSocketHandshakeTests : IAsyncLifetime
{
    private EchoServer _server = null!;

    public async ValueTask InitializeAsync() => _server = await EchoServer.StartAsync();

    public async ValueTask DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public void Accept_key_matches_the_rfc_6455_example()
    {
        Assert.Equal("s3pPLMBiTxaQ9kYGzzhZRbK+xOo=", WebSocketHandshake.ComputeAccept(RawWebSocketClient.SampleKey));
    }

    [Fact]
    public void Upgrade_tokens_are_found_in_lists_whatever_their_case()
    {
        var request = UpgradeRequest();
        request.Headers.Connection = "keep-alive, Upgrade";
        request.Headers.Upgrade = "WebSocket";

        Assert.True(WebSocketHandshake.TryAccept(request, out string acceptKey, out string? problem));
        Assert.Equal("s3pPLMBiTxaQ9kYGzzhZRbK+xOo=", acceptKey);
        Assert.Null(problem);
    }

    [Theory]
    [InlineData("method", "POST", "GET")]
    [InlineData("protocol", "HTTP/1.0", "HTTP/1.1")]
    [InlineData("connection", "keep-alive", "Connection")]
    [InlineData("upgrade", "h2c", "Upgrade header")]
    [InlineData("version", "8", "Sec-WebSocket-Version")]
    [InlineData("key", "", "Sec-WebSocket-Key")]
    [InlineData("key", "c2hvcnQ=", "Sec-WebSocket-Key")]                 // 5 bytes
    [InlineData("key", "AAAAAAAAAAAAAAAAAAAAAAAA", "Sec-WebSocket-Key")] // 18 bytes
    public void Requests_that_are_not_websocket_upgrades_are_refused_with_a_reason(string part, string value, string reasonMentions)
    {
        var request = UpgradeRequest();
        switch (part)
        {
            case "method": request.Method = value; break;
            case "protocol": request.Protocol = value; break;
            case "connection": request.Headers.Connection = value; break;
            case "upgrade": request.Headers.Upgrade = value; break;
            case "version": request.Headers.SecWebSocketVersion = value; break;
            default: request.Headers.SecWebSocketKey = value; break;
        }

        Assert.False(WebSocketHandshake.TryAccept(request, out _, out string? problem));
        Assert.Contains(reasonMentions, problem, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Upgrade_over_a_socket_answers_101_with_the_accept_key()
    {
        using var timeout = TestTimeout.Start();
        await using var client = await RawWebSocketClient.ConnectAsync(_server.Port, timeout.Token);
        var session = await _server.NextSessionAsync();

        Assert.Equal(WebSocketConnectionState.Open, session.Connection.State);
        Assert.Equal("websocket", client.Handshake.Headers["Upgrade"], ignoreCase: true);
        Assert.Equal("Upgrade", client.Handshake.Headers["Connection"], ignoreCase: true);
        Assert.Single(client.Handshake.Head.Split("\r\n"), line => line.StartsWith("Connection:", StringComparison.OrdinalIgnoreCase));
        Assert.DoesNotContain("Sec-WebSocket-Extensions", client.Handshake.Head, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Missing_key_is_refused_with_400_and_a_reason()
    {
        using var timeout = TestTimeout.Start();
        string request = $"GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\n\r\n";

        var response = await RawWebSocketClient.SendRequestAsync(_server.Port, request, timeout.Token);

        Assert.Equal(400, response.Status);
        Assert.Contains("Sec-WebSocket-Key", response.Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Wrong_version_is_refused_with_426_naming_version_13()
    {
        using var timeout = TestTimeout.Start();
        string request = RawWebSocketClient.UpgradeRequest(_server.Port, RawWebSocketClient.SampleKey, version: "8");

        var response = await RawWebSocketClient.SendRequestAsync(_server.Port, request, timeout.Token);

        Assert.Equal(426, response.Status);
        Assert.Equal("13", response.Headers["Sec-WebSocket-Version"]);
        Assert.Contains("version", response.Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Post_is_refused_with_400()
    {
        using var timeout = TestTimeout.Start();
        using var http = new HttpClient();

        using var response = await http.PostAsync(_server.HttpUri, new StringContent("hi"), timeout.Token);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("GET", await response.Content.ReadAsStringAsync(timeout.Token), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Plain_get_is_refused_with_400()
    {
        using var timeout = TestTimeout.Start();
        using var http = new HttpClient();

        using var response = await http.GetAsync(_server.HttpUri, timeout.Token);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    private static HttpRequest UpgradeRequest()
    {
        var request = new DefaultHttpContext().Request;
        request.Method = "GET";
        request.Protocol = "HTTP/1.1";
        request.Headers.Connection = "Upgrade";
        request.Headers.Upgrade = "websocket";
        request.Headers.SecWebSocketVersion = "13";
        request.Headers.SecWebSocketKey = RawWebSocketClient.SampleKey;
        return request;
    }
}
