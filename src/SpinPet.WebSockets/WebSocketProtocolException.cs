namespace SpinPet.WebSockets;

/// <summary>
/// The peer broke RFC 6455. When <see cref="WebSocketConnection.ReceiveAsync"/> throws this, the close frame with
/// <see cref="CloseCode"/> has already been sent (best effort) and the transport released: the caller only ends
/// its session.
/// </summary>
public sealed class WebSocketProtocolException : Exception
{
    public WebSocketProtocolException()
        : this(WebSocketCloseCodes.ProtocolError, "WebSocket protocol error")
    {
    }

    public WebSocketProtocolException(string message)
        : this(WebSocketCloseCodes.ProtocolError, message)
    {
    }

    public WebSocketProtocolException(string message, Exception innerException)
        : base(message, innerException)
    {
        CloseCode = WebSocketCloseCodes.ProtocolError;
    }

    public WebSocketProtocolException(ushort closeCode, string message)
        : base(message)
    {
        CloseCode = closeCode;
    }

    /// <summary>The close code sent to the peer: 1002 (protocol error) or 1007 (invalid UTF-8).</summary>
    public ushort CloseCode { get; }
}
