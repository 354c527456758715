namespace SpinPet.WebSockets;

/// <summary>Where a <see cref="WebSocketConnection"/> is in its life.</summary>
public enum WebSocketConnectionState
{
    /// <summary>Messages flow both ways.</summary>
    Open,

    /// <summary>This side sent a close frame and waits for the peer's.</summary>
    CloseSent,

    /// <summary>The peer's close frame arrived and the reply is being sent.</summary>
    CloseReceived,

    /// <summary>Both close frames were exchanged: the close handshake is complete.</summary>
    Closed,

    /// <summary>The transport was released before the close handshake completed.</summary>
    Aborted,
}
