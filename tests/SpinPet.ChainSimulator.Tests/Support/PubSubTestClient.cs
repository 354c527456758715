using System.Net.WebSockets;
using System.Text;
using System.Text.Json;

namespace SpinPet.ChainSimulator.Tests.Support;

/// <summary>A real ClientWebSocket that reads whole messages with a timeout.</summary>
internal sealed class PubSubTestClient : IAsyncDisposable
{
    private static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(10);

    private readonly ClientWebSocket _socket;
    private int _nextId;

    private PubSubTestClient(ClientWebSocket socket) => _socket = socket;

    public WebSocketState State => _socket.State;

    public static async Task<PubSubTestClient> ConnectAsync(Uri uri)
    {
        var socket = new ClientWebSocket();
        socket.Options.KeepAliveInterval = TimeSpan.Zero;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(DefaultTimeout);
        await socket.ConnectAsync(uri, timeout.Token);
        return new PubSubTestClient(socket);
    }

    public async Task<int> SendAsync(string method, params object?[] parameters)
    {
        int id = Interlocked.Increment(ref _nextId);
        string json = JsonSerializer.Serialize(new Dictionary<string, object?>
        {
            ["jsonrpc"] = "2.0",
            ["id"] = id,
            ["method"] = method,
            ["params"] = parameters,
        });
        await _socket.SendAsync(Encoding.UTF8.GetBytes(json), WebSocketMessageType.Text, true, TestContext.Current.CancellationToken);
        return id;
    }

    public async Task<ulong> SubscribeLogsAsync(string programId)
    {
        int id = await SendAsync("logsSubscribe", new { mentions = new[] { programId } }, new { commitment = "confirmed" });
        var reply = await ReceiveJsonAsync();
        Assert.Equal(id, reply.GetProperty("id").GetInt32());
        return reply.GetProperty("result").GetUInt64();
    }

    public async Task<(WebSocketMessageType Type, byte[] Bytes)> ReceiveAsync(TimeSpan? timeout = null)
    {
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        cancel.CancelAfter(timeout ?? DefaultTimeout);
        var buffer = new byte[16 * 1024];
        using var message = new MemoryStream();
        while (true)
        {
            var result = await _socket.ReceiveAsync(buffer, cancel.Token);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                return (WebSocketMessageType.Close, []);
            }
            message.Write(buffer, 0, result.Count);
            if (result.EndOfMessage)
            {
                return (result.MessageType, message.ToArray());
            }
        }
    }

    public async Task<JsonElement> ReceiveJsonAsync(TimeSpan? timeout = null)
    {
        var (type, bytes) = await ReceiveAsync(timeout);
        Assert.Equal(WebSocketMessageType.Text, type);
        using var document = JsonDocument.Parse(bytes);
        return document.RootElement.Clone();
    }

    /// <summary>Reads messages until one satisfies <paramref name="match"/>, skipping the rest.</summary>
    public async Task<JsonElement> ReceiveUntilAsync(Func<JsonElement, bool> match, TimeSpan? timeout = null)
    {
        while (true)
        {
            var message = await ReceiveJsonAsync(timeout);
            if (match(message))
            {
                return message;
            }
        }
    }

    public async Task CloseAsync()
    {
        using var cancel = new CancellationTokenSource(DefaultTimeout);
        await _socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", cancel.Token);
    }

    public ValueTask DisposeAsync()
    {
        _socket.Dispose();
        return ValueTask.CompletedTask;
    }
}
