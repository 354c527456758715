using SpinPet.Core.Candles;
using SpinPet.Core.Stream;
using SpinPet.SocketIO.Namespaces;
using SpinPet.Streaming.Protocol;
using SpinPet.Streaming.Topics;

namespace SpinPet.Server.SocketIO;

/// <summary>
/// The <c>/kline</c> namespace's <c>kline_data</c> as a fan-out format: a topic serializes each update once for all of
/// its Socket.IO subscribers (whatever their transport), as the whole Socket.IO packet cut around
/// <c>subscription_id</c>. Its argument is <c>/ws</c>'s <c>data</c> object of the same update (<see cref="KlinePayloads"/>).
/// </summary>
internal sealed class SocketIOKlineFormat : FrameFormat
{
    private SocketIOKlineFormat()
    {
    }

    public static SocketIOKlineFormat Instance { get; } = new();

    public override KlineFrame Serialize(TopicKey topic, string symbol, Candle candle, long sequence, long nowMs, long publishedAt, StreamPosition position)
    {
        var packet = KlinePayloads.KlineData(KlineDataFormat.Instance.Serialize(topic, symbol, candle, sequence, nowMs, publishedAt, position));
        return new KlineFrame(packet.Head, packet.Tail, candle, sequence, publishedAt, position);
    }

    /// <summary>The frame as the Socket.IO library sends it: one wrapper per frame, made by the first subscriber and shared.</summary>
    public static SharedEventPacket Packet(KlineFrame frame) =>
        frame.TransportForm(static f => SharedEventPacket.FromSplicedParts(KlinePayloads.Namespace, f.Prefix, f.Suffix));
}
