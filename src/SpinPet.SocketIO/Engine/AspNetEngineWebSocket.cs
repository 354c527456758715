using System.Buffers;
using System.Net.WebSockets;
using Microsoft.AspNetCore.Http;

namespace SpinPet.SocketIO.Engine;

/// <summary>
/// <see cref="IEngineWebSocket"/> over ASP.NET Core's websocket (<c>UseWebSockets()</c> must run before the
/// endpoint). No keep-alive pings (Engine.IO has its own heartbeat) and no compression. While idle it waits with a
/// zero-byte read and holds no buffer; a message is read into a pooled buffer that grows to at most the size limit.
/// </summary>
internal sealed class AspNetEngineWebSocket(WebSocket socket, int maxMessageBytes) : IEngineWebSocket
{
    // RFC 6455 section 7.1.1: wait a moment for the peer's close frame, but never let a silent peer hold the slot.
    private static readonly TimeSpan CloseHandshakeTimeout = TimeSpan.FromSeconds(2);

    private const int InitialBufferBytes = 4 * 1024;

    private byte[]? _message;

    /// <summary>Accepts the upgrade, or answers 400 and returns null when the request is not a websocket upgrade.</summary>
    public static async Task<IEngineWebSocket?> AcceptAsync(HttpContext context, int maxMessageBytes)
    {
        if (!context.WebSockets.IsWebSocketRequest)
        {
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            await context.Response.WriteAsync("not a websocket upgrade request", context.RequestAborted);
            return null;
        }
        var socket = await context.WebSockets.AcceptWebSocketAsync(new WebSocketAcceptContext
        {
            KeepAliveInterval = TimeSpan.Zero,
            DangerousEnableCompression = false,
        });
        return new AspNetEngineWebSocket(socket, maxMessageBytes);
    }

    public async ValueTask<EngineWebSocketMessage> ReceiveAsync(CancellationToken ct)
    {
        ReturnMessage();
        try
        {
            // Parks without a buffer until a frame arrives.
            var first = await socket.ReceiveAsync(Memory<byte>.Empty, ct);
            if (first.MessageType == WebSocketMessageType.Close)
            {
                return new EngineWebSocketMessage(EngineWebSocketMessageKind.Closed, default);
            }
            if (first.EndOfMessage)
            {
                // An empty message: the zero-byte read already completed it (reading on would take the next one).
                return new EngineWebSocketMessage(Kind(first.MessageType), default);
            }
            _message = ArrayPool<byte>.Shared.Rent(InitialBufferBytes);
            int length = 0;
            while (true)
            {
                if (length == _message.Length)
                {
                    if (length > maxMessageBytes)
                    {
                        ReturnMessage();
                        return new EngineWebSocketMessage(EngineWebSocketMessageKind.TooLarge, default);
                    }
                    Grow(length, Math.Min(length * 2, maxMessageBytes + 1));
                }
                var result = await socket.ReceiveAsync(_message.AsMemory(length), ct);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    return new EngineWebSocketMessage(EngineWebSocketMessageKind.Closed, default);
                }
                length += result.Count;
                if (length > maxMessageBytes)
                {
                    ReturnMessage();
                    return new EngineWebSocketMessage(EngineWebSocketMessageKind.TooLarge, default);
                }
                if (result.EndOfMessage)
                {
                    return new EngineWebSocketMessage(Kind(result.MessageType), _message.AsMemory(0, length));
                }
            }
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or IOException or ObjectDisposedException)
        {
            // Invalid UTF-8, a protocol error, an abort or a dropped connection: the read side is over either way.
            ReturnMessage();
            return new EngineWebSocketMessage(EngineWebSocketMessageKind.Closed, default);
        }
    }

    public async ValueTask SendAsync(IReadOnlyList<EngineTextMessage> messages, CancellationToken ct)
    {
        for (int i = 0; i < messages.Count; i++)
        {
            var message = messages[i];
            if (message.Middle.IsEmpty && message.Tail.IsEmpty)
            {
                await socket.SendAsync(message.Head, WebSocketMessageType.Text, endOfMessage: true, ct);
                continue;
            }
            // One frame per packet: the pieces are copied into one pooled buffer rather than sent as fragments.
            byte[] staging = ArrayPool<byte>.Shared.Rent(message.Length);
            try
            {
                message.Head.Span.CopyTo(staging);
                message.Middle.Span.CopyTo(staging.AsSpan(message.Head.Length));
                message.Tail.Span.CopyTo(staging.AsSpan(message.Head.Length + message.Middle.Length));
                await socket.SendAsync(staging.AsMemory(0, message.Length), WebSocketMessageType.Text, endOfMessage: true, ct);
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(staging);
            }
        }
    }

    public async ValueTask CloseAsync(int code, string reason, CancellationToken ct)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(CloseHandshakeTimeout);
        try
        {
            if (socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
            {
                await socket.CloseOutputAsync((WebSocketCloseStatus)code, reason, deadline.Token);
            }
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or IOException or ObjectDisposedException)
        {
            socket.Abort();
        }
    }

    public void Abort() => socket.Abort();

    public ValueTask DisposeAsync()
    {
        socket.Dispose();
        ReturnMessage();
        return default;
    }

    private static EngineWebSocketMessageKind Kind(WebSocketMessageType type) =>
        type == WebSocketMessageType.Text ? EngineWebSocketMessageKind.Text : EngineWebSocketMessageKind.Binary;

    private void Grow(int used, int size)
    {
        byte[] grown = ArrayPool<byte>.Shared.Rent(size);
        _message.AsSpan(0, used).CopyTo(grown);
        ArrayPool<byte>.Shared.Return(_message!);
        _message = grown;
    }

    private void ReturnMessage()
    {
        byte[]? message = _message;
        if (message is not null)
        {
            _message = null;
            ArrayPool<byte>.Shared.Return(message);
        }
    }
}
