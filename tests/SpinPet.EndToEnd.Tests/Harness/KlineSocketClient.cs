using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;

namespace SpinPet.EndToEnd.Tests.Harness;

/// <summary>A real <see cref="ClientWebSocket"/> speaking the /ws protocol, with waits that time out instead of hanging.</summary>
internal sealed class KlineSocketClient : IAsyncDisposable
{
    private static readonly TimeSpan DefaultWait = TimeSpan.FromSeconds(30);
    private readonly ClientWebSocket _socket = new();
    private readonly byte[] _buffer = new byte[1 << 20];
    private HttpMessageInvoker? _invoker;

    public ClientWebSocket Socket => _socket;

    /// <summary>The server's <c>Sec-WebSocket-Extensions</c> answer, or null when it negotiated none.</summary>
    public string? Extensions =>
        _socket.HttpResponseHeaders is { } headers && headers.TryGetValue("Sec-WebSocket-Extensions", out var values) ? string.Join(", ", values) : null;

    /// <param name="deflate">Offer permessage-deflate with these options; null offers nothing.</param>
    /// <param name="receiveBufferBytes">
    /// The TCP receive buffer, for a client that reads slowly: small, so the server's sends block soon after it
    /// stops reading (loopback buffers otherwise absorb megabytes). Null keeps the system default.
    /// </param>
    public static async Task<KlineSocketClient> ConnectAsync(Uri server, WebSocketDeflateOptions? deflate = null, int? receiveBufferBytes = null)
    {
        var client = new KlineSocketClient();
        client._socket.Options.DangerousDeflateOptions = deflate;
        client._socket.Options.CollectHttpResponseDetails = true;
        var uri = new UriBuilder(server) { Scheme = "ws", Path = "/ws" }.Uri;
        if (receiveBufferBytes is int size)
        {
            var handler = new SocketsHttpHandler
            {
                ConnectCallback = async (context, ct) =>
                {
                    var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { ReceiveBufferSize = size, NoDelay = true };
                    try
                    {
                        await socket.ConnectAsync(context.DnsEndPoint, ct);
                        return new NetworkStream(socket, ownsSocket: true);
                    }
                    catch
                    {
                        socket.Dispose();
                        throw;
                    }
                },
            };
            client._invoker = new HttpMessageInvoker(handler);
            await client._socket.ConnectAsync(uri, client._invoker, CancellationToken.None);
        }
        else
        {
            await client._socket.ConnectAsync(uri, CancellationToken.None);
        }
        return client;
    }

    public Task SendAsync(string json) =>
        _socket.SendAsync(Encoding.UTF8.GetBytes(json), WebSocketMessageType.Text, true, CancellationToken.None);

    public Task SendAsync(object request) => SendAsync(JsonSerializer.Serialize(request));

    /// <summary>The next message, or null when the server closed the connection.</summary>
    public async Task<JsonElement?> ReceiveAsync(TimeSpan? wait = null)
    {
        using var timeout = new CancellationTokenSource(wait ?? DefaultWait);
        int length = 0;
        while (true)
        {
            var result = await _socket.ReceiveAsync(_buffer.AsMemory(length), timeout.Token);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                return null;
            }
            length += result.Count;
            if (result.EndOfMessage)
            {
                return JsonDocument.Parse(_buffer.AsMemory(0, length)).RootElement.Clone();
            }
        }
    }

    /// <summary>Receives until a message of <paramref name="type"/> arrives; the ones before it are returned too.</summary>
    public async Task<(JsonElement Match, List<JsonElement> Before)> ReceiveUntilAsync(string type, TimeSpan? wait = null)
    {
        var before = new List<JsonElement>();
        while (true)
        {
            var message = await ReceiveAsync(wait) ?? throw new InvalidOperationException($"closed while waiting for {type}; got {before.Count} messages before");
            if (message.GetProperty("type").GetString() == type)
            {
                return (message, before);
            }
            before.Add(message);
        }
    }

    /// <summary>
    /// Disposes a socket whose <paramref name="reader"/> task receives until the server's close: sends our close without
    /// reading, gives the reader up to 10 s to drain to the server's close, then disposes. <see cref="DisposeAsync"/>
    /// alone closes with CloseAsync, which reads too, and two readers on one socket split a message between them (a
    /// cluster test once failed on the unparsable tail).
    /// </summary>
    public async ValueTask DisposeAfterAsync(Task reader)
    {
        try
        {
            if (_socket.State == WebSocketState.Open)
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
                await _socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "bye", timeout.Token);
                await Task.WhenAny(reader, Task.Delay(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken));
            }
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException)
        {
            // The server closed first; the reader has ended or ends on the dispose below.
        }
        _socket.Dispose();
    }

    public async ValueTask DisposeAsync()
    {
        if (_socket.State == WebSocketState.Open)
        {
            try
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
                await _socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "bye", timeout.Token);
            }
            catch (Exception ex) when (ex is WebSocketException or OperationCanceledException)
            {
                // The server may have closed first; nothing to clean up.
            }
        }
        _socket.Dispose();
        _invoker?.Dispose();
    }
}
