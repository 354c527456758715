namespace SpinPet.SocketIO.Namespaces;

/// <summary>
/// The main namespace <c>/</c>: socket.io-client joins it when a frontend calls <c>io(url)</c> without a path, so it
/// connects, and nothing is served on it (socketio.md: "/ connects and does nothing"). Events on it are dropped.
/// </summary>
internal sealed class RootNamespace : ISocketIONamespaceHandler
{
    public static RootNamespace Instance { get; } = new();

    public ValueTask OnConnectAsync(SocketIOSocket socket, ReadOnlyMemory<byte> auth, CancellationToken ct) => default;

    public ValueTask OnEventAsync(SocketIOSocket socket, SocketIOEvent received, CancellationToken ct) => default;

    public ValueTask OnRejectedAsync(SocketIOSocket socket, SocketIORejection rejection, long? ackId, CancellationToken ct) => default;

    public void OnDisconnect(SocketIOSocket socket, SocketIODisconnectReason reason)
    {
    }
}
