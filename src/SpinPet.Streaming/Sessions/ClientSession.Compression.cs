using SpinPet.Streaming.Protocol;
using SpinPet.Streaming.Topics;
using SpinPet.WebSockets;

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

    /// <summary>
    /// A reply whose end is shared (<c>connection_success</c>): compressed, the head goes as a stored block in front
    /// of the shared part's compressed bytes, so nothing is compressed per connection.
    /// </summary>
    private WebSocketOutboundMessage Outgoing(byte[] head, SharedBytes tail)
    {
        if (_connection.IsDeflateNegotiated && head.Length + tail.Plain.Length >= MinCompressedReplyBytes && tail.Deflated is { } deflated)
        {
            _counters.Compressed(1);
            return WebSocketOutboundMessage.Deflated([PerMessageDeflate.Stored(head), deflated]);
        }
        return WebSocketOutboundMessage.Plain([head, tail.Plain]);
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
