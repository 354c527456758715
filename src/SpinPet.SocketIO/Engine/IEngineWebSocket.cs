namespace SpinPet.SocketIO.Engine;

/// <summary>
/// The websocket transport as the Engine.IO session needs it: whole text messages in, batches of text messages out,
/// a bounded close and an abort. Two implementations: <see cref="AspNetEngineWebSocket"/> over ASP.NET Core's
/// <see cref="System.Net.WebSockets.WebSocket"/>, and the host's adapter over the project's own RFC 6455 connection
/// (which brings its frame limits, zero-byte reads while idle and close codes), plugged in with
/// <see cref="SocketIOServerOptions.AcceptWebSocket"/>.
/// </summary>
/// <remarks>
/// One reader calls <see cref="ReceiveAsync"/> at a time; one writer calls <see cref="SendAsync"/> at a time; the
/// two run concurrently. Cancelling a token while a message is being sent or received may abort the connection.
/// </remarks>
public interface IEngineWebSocket : IAsyncDisposable
{
    /// <summary>
    /// The next whole message. A text payload stays valid until the next call. A message over the size limit is
    /// reported as <see cref="EngineWebSocketMessageKind.TooLarge"/> without being buffered; the end of the
    /// connection (close frame, end of stream, failure) as <see cref="EngineWebSocketMessageKind.Closed"/>.
    /// </summary>
    ValueTask<EngineWebSocketMessage> ReceiveAsync(CancellationToken ct);

    /// <summary>Sends each message as one text frame, in order, and flushes once.</summary>
    ValueTask SendAsync(IReadOnlyList<EngineTextMessage> messages, CancellationToken ct);

    /// <summary>Sends a close frame with <paramref name="code"/> and waits (bounded) for the peer's, then releases the transport.</summary>
    ValueTask CloseAsync(int code, string reason, CancellationToken ct);

    /// <summary>Drops the connection at once.</summary>
    void Abort();
}

/// <summary>What <see cref="IEngineWebSocket.ReceiveAsync"/> read.</summary>
public enum EngineWebSocketMessageKind
{
    Text,
    Binary,
    TooLarge,

    /// <summary>A message the transport's own frame rate limit dropped (counted like a packet past the session's rate).</summary>
    RateLimited,
    Closed,
}

/// <summary>A received message; <see cref="Payload"/> is set for text and binary messages only.</summary>
public readonly record struct EngineWebSocketMessage(EngineWebSocketMessageKind Kind, ReadOnlyMemory<byte> Payload);
