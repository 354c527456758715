using SpinPet.Core.Stream;
using SpinPet.SocketIO.Namespaces;
using SpinPet.Streaming;
using SpinPet.Streaming.Events;

namespace SpinPet.Server.SocketIO;

/// <summary>
/// The <c>/kline</c> namespace's <c>event_data</c> as a fan-out format: a mint's event serialized once for all of its
/// Socket.IO subscribers, as the whole packet cut around <c>subscription_id</c>; its argument is <c>/ws</c>'s
/// <c>data</c> object of the same event.
/// </summary>
internal sealed class SocketIOEventFormat : EventFrameFormat
{
    private SocketIOEventFormat()
    {
    }

    public static SocketIOEventFormat Instance { get; } = new();

    public override EventFrame Serialize(string symbol, StreamEvent streamEvent, long sequence, long nowMs, long publishedAt, StreamPosition position)
    {
        var packet = KlinePayloads.EventData(EventDataFormat.Instance.Serialize(symbol, streamEvent, sequence, nowMs, publishedAt, position));
        return new EventFrame(packet.Head, packet.Tail, streamEvent, sequence, publishedAt, position);
    }

    /// <summary>The frame as the Socket.IO library sends it: one wrapper per frame, made by the first subscriber and shared.</summary>
    public static SharedEventPacket Packet(EventFrame frame) =>
        frame.TransportForm(static f => SharedEventPacket.FromSplicedParts(KlinePayloads.Namespace, f.Prefix, f.Suffix));
}
