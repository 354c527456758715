using SpinPet.Streaming.Topics;
using SpinPet.WebSockets;

namespace SpinPet.Streaming.Sessions;

/// <summary>
/// What a message looks like on this connection: plain, or permessage-deflate when the handshake negotiated it.
/// Shared frames (candle updates, the greeting's symbol list) use their shared compressed parts, compressed once per
/// frame whatever the number of compressing connections (<see cref="DeflatedSplice"/>, kept in the frame's transport
/// slot), with this connection's piece stored uncompressed between them; replies are this client's own and are
/// compressed here, on its writer.
/// </summary>
public sealed partial class ClientSession
{
    // Below this a reply (pong, confirmations, most errors: 60 to 200 bytes) saves a few bytes at most, while a
    // deflater costs its set-up every time; history_data and connection_success (kilobytes) are well above it.
    private const int MinCompressedReplyBytes = 256;

    private static readonly Func<SharedFrame, DeflatedSplice> Deflate = static frame => DeflatedSplice.Create(frame.Prefix, frame.Suffix);

    private WebSocketOutboundMessage Outgoing(byte[] reply)
    {
        if (_connection.IsDeflateNegotiated && reply.Length >= MinCompressedReplyBytes)
        {
            byte[] deflated = PerMessageDeflate.Compress(reply);
            if (deflated.Length < reply.Length)
            {
                _counters.CompressedMessages.Add(1);
                return WebSocketOutboundMessage.Deflated(deflated);
            }
        }
        return WebSocketOutboundMessage.Plain(reply);
    }

    /// <summary>A reply of this client's own inside a shared frame (<c>connection_success</c>: its head, then the symbol list).</summary>
    private WebSocketOutboundMessage Outgoing(SharedFrame shared, byte[] head) =>
        shared.Length(head.Length) >= MinCompressedReplyBytes && Compressed(shared) is { } deflated
            ? WebSocketOutboundMessage.Deflated(deflated.Prefix, PerMessageDeflate.StoredBlock(head), deflated.Suffix)
            : WebSocketOutboundMessage.Plain(shared.Prefix, head, shared.Suffix);

    private WebSocketOutboundMessage Outgoing(KlineFrame kline, ClientSubscription subscription) =>
        Compressed(kline) is { } deflated
            ? WebSocketOutboundMessage.Deflated(deflated.Prefix, subscription.StoredSubscriptionId, deflated.Suffix)
            : WebSocketOutboundMessage.Plain(kline.Prefix, subscription.SubscriptionIdJson, kline.Suffix);

    /// <summary>The frame's shared compressed parts when this connection sends it compressed (counted); null when plain.</summary>
    private DeflatedSplice? Compressed(SharedFrame shared)
    {
        if (_connection.IsDeflateNegotiated && shared.TransportForm(Deflate) is { IsSmaller: true } deflated)
        {
            _counters.CompressedMessages.Add(1);
            return deflated;
        }
        return null;
    }
}
