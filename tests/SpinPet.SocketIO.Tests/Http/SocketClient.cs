using System.Net.WebSockets;
using System.Text;

namespace SpinPet.SocketIO.Tests.Http;

/// <summary>A hand-driven Engine.IO websocket client over <see cref="ClientWebSocket"/>: one packet per text frame.</summary>
internal sealed class SocketClient : IDisposable
{
    private readonly ClientWebSocket _socket = new();

    public WebSocketCloseStatus? CloseStatus => _socket.CloseStatus;

    public static async Task<SocketClient> ConnectAsync(Uri uri)
    {
        var client = new SocketClient();
        await client._socket.ConnectAsync(uri, TestContext.Current.CancellationToken);
        return client;
    }

    public Task SendAsync(string packet) => SendAsync(Encoding.UTF8.GetBytes(packet), WebSocketMessageType.Text);

    public Task SendAsync(byte[] payload, WebSocketMessageType type) =>
        _socket.SendAsync(payload, type, endOfMessage: true, TestContext.Current.CancellationToken);

    /// <summary>The next text packet, or null once the server closed (its close status is then in <see cref="CloseStatus"/>).</summary>
    public async Task<string?> ReceiveAsync()
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(10));
        var buffer = new byte[64 * 1024];
        using var message = new MemoryStream();
        while (true)
        {
            WebSocketReceiveResult result;
            try
            {
                result = await _socket.ReceiveAsync(buffer, timeout.Token);
            }
            catch (WebSocketException)
            {
                return null;
            }
            if (result.MessageType == WebSocketMessageType.Close)
            {
                return null;
            }
            message.Write(buffer, 0, result.Count);
            if (result.EndOfMessage)
            {
                return Encoding.UTF8.GetString(message.ToArray());
            }
        }
    }

    /// <summary>Packets until one matches; all of them are returned.</summary>
    public async Task<List<string>> ReceiveUntilAsync(Func<string, bool> match)
    {
        var seen = new List<string>();
        while (true)
        {
            string? packet = await ReceiveAsync();
            Assert.NotNull(packet);
            seen.Add(packet);
            if (match(packet))
            {
                return seen;
            }
        }
    }

    /// <summary>Reads until the server's close frame; its status.</summary>
    public async Task<WebSocketCloseStatus?> ReceiveCloseAsync()
    {
        while (await ReceiveAsync() is not null)
        {
        }
        return _socket.CloseStatus;
    }

    public void Dispose() => _socket.Dispose();
}
