using System.Net.WebSockets;

namespace SpinPet.ChainSimulator.PubSub;

/// <summary>A WebSocket message waiting in a connection's outbox; notification bytes may be shared.</summary>
internal readonly record struct OutgoingFrame(ReadOnlyMemory<byte> Bytes, WebSocketMessageType Type, bool IsNotification)
{
    public static OutgoingFrame Text(ReadOnlyMemory<byte> bytes) => new(bytes, WebSocketMessageType.Text, IsNotification: false);

    public static OutgoingFrame Notification(ReadOnlyMemory<byte> bytes) => new(bytes, WebSocketMessageType.Text, IsNotification: true);
}
