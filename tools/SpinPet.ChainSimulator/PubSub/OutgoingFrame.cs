using System.Net.WebSockets;

namespace SpinPet.ChainSimulator.PubSub;

/// <summary>
/// A WebSocket message waiting in a connection's outbox; notification bytes may be shared. A block's notification
/// carries when the block was published (<see cref="System.Diagnostics.Stopwatch"/> timestamp; 0 for anything else),
/// for <see cref="SimulatorStats.NotificationSendDelay"/>.
/// </summary>
internal readonly record struct OutgoingFrame(ReadOnlyMemory<byte> Bytes, WebSocketMessageType Type, bool IsNotification, long PublishedAt = 0)
{
    public static OutgoingFrame Text(ReadOnlyMemory<byte> bytes) => new(bytes, WebSocketMessageType.Text, IsNotification: false);

    public static OutgoingFrame Notification(ReadOnlyMemory<byte> bytes, long publishedAt = 0) => new(bytes, WebSocketMessageType.Text, IsNotification: true, publishedAt);
}
