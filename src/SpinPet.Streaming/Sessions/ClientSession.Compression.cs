using SpinPet.Streaming.Protocol;
using SpinPet.Streaming.Topics;
using SpinPet.Streaming.WebSockets;

namespace SpinPet.Streaming.Sessions;

/// <summary>
/// What a message looks like on this connection: plain, or permessage-deflate when the handshake negotiated it.
/// Candle frames use the topic's shared compressed bytes (compressed once per update, whatever the number of
/// subscribers); replies are this client's own and are compressed here, on its writer.
/// </summary>
public sealed partial class ClientSession
{
    // Below this a reply (pong, confirmations, most errors: 60 to 200 bytes) saves a few bytes at most, while a
    // deflater costs its set-up every time; history_data and connection_success (kilobytes) are well above it.
    private const int MinCompressedReplyBytes = 256;

    private WebSocketOutboundMessage Outgoing(byte[] reply)
    {
        if (_connection.IsDeflateNegotiated && reply.Length >= MinCompressedReplyBytes)
        {
            byte[] deflated = PerMessageDeflate.Compress(reply);
            if (deflated.Length < reply.Length)
            {
                _counters.Compressed(1);
                return WebSocketOutboundMessage.Deflated([deflated]);
            }
        }
        return WebSocketOutboundMessage.Plain([reply]);
    }

    private WebSocketOutboundMessage Outgoing(KlineFrame kline, Subscriber subscriber)
    {
        if (_connection.IsDeflateNegotiated && kline.Deflated is { } deflated)
        {
            _counters.Compressed(1);
            return WebSocketOutboundMessage.Deflated([deflated.Prefix, subscriber.StoredSubscriptionId, deflated.Suffix]);
        }
        return WebSocketOutboundMessage.Plain([kline.Prefix, subscriber.SubscriptionIdJson, kline.Suffix]);
    }
}
