namespace SpinPet.WebSockets;

/// <summary>
/// One received message. <see cref="Payload"/> points into a pooled buffer owned by the connection and is valid
/// only until the next <see cref="WebSocketConnection.ReceiveAsync"/> call (or disposal). For
/// <see cref="WebSocketMessageKind.Close"/>, <see cref="CloseCode"/> is the peer's code, 1005 when its close frame
/// carried none, or 1006 when the connection ended without a close frame.
/// </summary>
public readonly record struct WebSocketMessage(
    WebSocketMessageKind Kind,
    ReadOnlyMemory<byte> Payload,
    ushort CloseCode,
    string? CloseReason);
