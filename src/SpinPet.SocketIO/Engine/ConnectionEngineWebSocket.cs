using Microsoft.AspNetCore.Http;
using SpinPet.WebSockets;

namespace SpinPet.SocketIO.Engine;

/// <summary>
/// <see cref="IEngineWebSocket"/> over the project's own RFC 6455 connection (<see cref="WebSocketConnection"/>:
/// zero-byte reads while idle, the size limit before buffering, close codes, a bounded close handshake). This is the
/// adapter the host plugs in with <see cref="SocketIOServerOptions.AcceptWebSocket"/> = <see cref="AcceptAsync"/>.
/// </summary>
public sealed class ConnectionEngineWebSocket(WebSocketConnection connection) : IEngineWebSocket
{
    // The writer drains at most 64 packets per batch, three pieces each, held inline by the message: a batch
    // allocates nothing (one writer at a time: the previous batch has completed when the next one starts).
    private readonly List<WebSocketOutboundMessage> _batch = new(64);

    /// <summary>The RFC 6455 handshake (no compression); a refused upgrade is answered 400/426 and gives null.</summary>
    public static async Task<IEngineWebSocket?> AcceptAsync(HttpContext context, int maxMessageBytes)
    {
        var connection = await WebSocketHandshake.AcceptAsync(context, maxMessageBytes);
        return connection is null ? null : new ConnectionEngineWebSocket(connection);
    }

    public async ValueTask<EngineWebSocketMessage> ReceiveAsync(CancellationToken ct)
    {
        try
        {
            var message = await connection.ReceiveAsync(ct);
            return message.Kind switch
            {
                WebSocketMessageKind.Text => new EngineWebSocketMessage(EngineWebSocketMessageKind.Text, message.Payload),
                WebSocketMessageKind.Binary => new EngineWebSocketMessage(EngineWebSocketMessageKind.Binary, message.Payload),
                WebSocketMessageKind.TooLarge => new EngineWebSocketMessage(EngineWebSocketMessageKind.TooLarge, default),
                WebSocketMessageKind.RateLimited => new EngineWebSocketMessage(EngineWebSocketMessageKind.RateLimited, default),
                _ => new EngineWebSocketMessage(EngineWebSocketMessageKind.Closed, default),
            };
        }
        catch (Exception ex) when (ex is OperationCanceledException or WebSocketProtocolException)
        {
            // Aborted, or the peer broke RFC 6455 (the connection already sent its close code and let go).
            return new EngineWebSocketMessage(EngineWebSocketMessageKind.Closed, default);
        }
    }

    public ValueTask SendAsync(IReadOnlyList<EngineTextMessage> messages, CancellationToken ct)
    {
        _batch.Clear();
        for (int i = 0; i < messages.Count; i++)
        {
            _batch.Add(WebSocketOutboundMessage.Plain(messages[i].Head, messages[i].Middle, messages[i].Tail));
        }
        return connection.SendBatchAsync(_batch, ct);
    }

    public ValueTask CloseAsync(int code, string reason, CancellationToken ct) => connection.CloseAsync((ushort)code, reason, ct);

    public void Abort() => connection.Abort();

    public ValueTask DisposeAsync() => connection.DisposeAsync();
}
