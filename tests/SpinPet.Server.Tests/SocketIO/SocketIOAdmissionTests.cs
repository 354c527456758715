using System.Net;
using System.Net.WebSockets;
using Microsoft.AspNetCore.Builder;
using SpinPet.Server.Tests.Streaming;
using SpinPet.TestSupport;

namespace SpinPet.Server.Tests.SocketIO;

/// <summary>
/// <c>/socket.io/</c> on the composed server: its sessions count against the same <c>websocket.*</c> connection limits
/// as <c>/ws</c> (one count per client address for both endpoints), and the origin allow-list holds for it too.
/// </summary>
public sealed class SocketIOAdmissionTests
{
    [Fact]
    public async Task A_ws_connection_and_a_socketio_session_share_the_per_address_limit()
    {
        using var folder = new TempFolder();
        await using var app = await InProcessServer.StartAsync(folder.Path, new Dictionary<string, string> { ["SPIN_WEBSOCKET__MAX_CONNECTIONS_PER_IP"] = "1" });
        using var http = new HttpClient();
        var ct = TestContext.Current.CancellationToken;

        using (var ws = new ClientWebSocket())
        {
            await ws.ConnectAsync(InProcessServer.SocketUri(app), ct);
            var refused = await http.GetAsync(Handshake(app), ct);
            Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
            await ws.CloseAsync(WebSocketCloseStatus.NormalClosure, "", ct);
        }

        // The /ws slot is given back when its session has ended, a moment after the close handshake.
        HttpResponseMessage? admitted = null;
        await Eventually.TrueAsync(async () => (admitted = await http.GetAsync(Handshake(app), ct)).StatusCode == HttpStatusCode.OK,
            TimeSpan.FromSeconds(10), "a handshake once the /ws connection is gone");
        string open = await admitted!.Content.ReadAsStringAsync(ct);
        Assert.StartsWith("0{\"sid\":", open, StringComparison.Ordinal);
        Assert.Contains("\"pingInterval\":25000,\"pingTimeout\":60000", open, StringComparison.Ordinal);

        using var second = new ClientWebSocket();
        await Assert.ThrowsAsync<WebSocketException>(() => second.ConnectAsync(InProcessServer.SocketUri(app), ct));
    }

    [Fact]
    public async Task An_origin_outside_the_allow_list_is_refused_with_the_engineio_error()
    {
        using var folder = new TempFolder();
        await using var app = await InProcessServer.StartAsync(folder.Path, new Dictionary<string, string> { ["SPIN_WEBSOCKET__ALLOWED_ORIGINS__0"] = "https://app.example" });
        using var http = new HttpClient();
        var ct = TestContext.Current.CancellationToken;

        using var foreign = new HttpRequestMessage(HttpMethod.Get, Handshake(app)) { Headers = { { "Origin", "https://elsewhere.example" } } };
        var refused = await http.SendAsync(foreign, ct);
        using var listed = new HttpRequestMessage(HttpMethod.Get, Handshake(app)) { Headers = { { "Origin", "https://app.example" } } };
        var admitted = await http.SendAsync(listed, ct);

        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.Contains("\"code\":4", await refused.Content.ReadAsStringAsync(ct), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, admitted.StatusCode);
    }

    private static Uri Handshake(WebApplication app) =>
        new UriBuilder(InProcessServer.SocketUri(app)) { Scheme = "http", Path = "/socket.io/", Query = "EIO=4&transport=polling" }.Uri;
}
