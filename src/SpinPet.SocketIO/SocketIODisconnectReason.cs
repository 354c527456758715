namespace SpinPet.SocketIO;

/// <summary>Why a client left a namespace (or its whole session ended).</summary>
public enum SocketIODisconnectReason
{
    /// <summary>The client sent DISCONNECT for the namespace (<c>socket.disconnect()</c>).</summary>
    ClientNamespaceDisconnect,

    /// <summary>The server ended the namespace connection (<see cref="SocketIOSocket.Disconnect"/>).</summary>
    ServerNamespaceDisconnect,

    /// <summary>The client closed the Engine.IO session or its transport ended.</summary>
    TransportClose,

    /// <summary>No pong within the ping timeout.</summary>
    PingTimeout,

    /// <summary>The client sent Engine.IO or Socket.IO garbage, or broke the transport rules (a second GET, …).</summary>
    ProtocolError,

    /// <summary>The outbox passed its bound or a send stalled.</summary>
    SlowConsumer,

    /// <summary>A packet or payload over the size limits, or a binary packet, after its rejection was answered.</summary>
    Refused,

    /// <summary>No namespace joined within the connect timeout.</summary>
    ConnectTimeout,

    /// <summary>A handler call threw.</summary>
    HandlerFailure,

    /// <summary>The server is stopping.</summary>
    ServerShutdown,
}
