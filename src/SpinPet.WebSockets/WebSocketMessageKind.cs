namespace SpinPet.WebSockets;

/// <summary>What <see cref="WebSocketConnection.ReceiveAsync"/> produced.</summary>
public enum WebSocketMessageKind
{
    /// <summary>A complete text message; the payload is valid UTF-8.</summary>
    Text,

    /// <summary>A complete binary message.</summary>
    Binary,

    /// <summary>The peer closed (close frame) or the connection ended; no more messages follow.</summary>
    Close,

    /// <summary>
    /// A message exceeded the size limit. Nothing of it is buffered; the caller answers and closes with 1009.
    /// </summary>
    TooLarge,

    /// <summary>
    /// A message dropped because one of its frames found <see cref="WebSocketConnection.FrameLimit"/> empty. Nothing of
    /// it is buffered; the connection stays usable.
    /// </summary>
    RateLimited,
}
