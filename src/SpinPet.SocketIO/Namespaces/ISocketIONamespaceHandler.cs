namespace SpinPet.SocketIO.Namespaces;

/// <summary>
/// What serves one namespace (the host's <c>/kline</c>). Calls for one session never overlap: a session's packets are
/// handled one at a time, in the order the client sent them, and <see cref="OnDisconnect"/> comes after any call in
/// progress for that session has returned. Handlers reply through the <see cref="SocketIOSocket"/> (never waiting
/// for the client) and may keep their per-client state in <see cref="SocketIOSocket.State"/>.
/// </summary>
public interface ISocketIONamespaceHandler
{
    /// <summary>
    /// The client joined the namespace; its CONNECT reply (<c>40/kline,{"sid":…}</c>) is already queued, so what is
    /// sent here (e.g. <c>connection_success</c>) follows it. <paramref name="auth"/> is the CONNECT's JSON object, or
    /// empty; valid only during the call.
    /// </summary>
    ValueTask OnConnectAsync(SocketIOSocket socket, ReadOnlyMemory<byte> auth, CancellationToken ct);

    /// <summary>An event the client emitted. <paramref name="ct"/> is cancelled when the session closes.</summary>
    ValueTask OnEventAsync(SocketIOSocket socket, SocketIOEvent received, CancellationToken ct);

    /// <summary>
    /// An event that was not delivered, for the handler to answer in its own terms (the /kline contract's
    /// <c>error</c> 1001, 1004, 1005). After <see cref="SocketIORejection.TooLarge"/> and
    /// <see cref="SocketIORejection.BinaryNotSupported"/> the session is closed once the reply is sent.
    /// </summary>
    ValueTask OnRejectedAsync(SocketIOSocket socket, SocketIORejection rejection, long? ackId, CancellationToken ct);

    /// <summary>The client left the namespace or its session ended: release what it held. Called once per socket.</summary>
    void OnDisconnect(SocketIOSocket socket, SocketIODisconnectReason reason);
}
