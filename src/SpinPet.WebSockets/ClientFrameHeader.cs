using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace SpinPet.WebSockets;

/// <summary>
/// A validated header of a frame sent by a client (always masked, RFC 6455 section 5.3). Parsing is split in two
/// steps so the reader asks the stream for exactly the bytes of one header and never reads past a frame.
/// </summary>
/// <remarks><see cref="Compressed"/> is RSV1, the permessage-deflate bit of a message's first frame.</remarks>
internal readonly record struct ClientFrameHeader(byte Opcode, bool Fin, long PayloadLength, int MaskKey, bool Compressed = false)
{
    /// <summary>2 fixed bytes, up to 8 bytes of extended length, 4 bytes of masking key.</summary>
    public const int MaxLength = 14;

    public bool IsControl => Opcode >= WebSocketFrames.OpcodeClose;

    /// <summary>
    /// Checks the first two header bytes and returns how many header bytes follow (extended length and mask).
    /// Throws <see cref="WebSocketProtocolException"/> (1002) for anything a client must not send. RSV1 is allowed
    /// only when <paramref name="deflate"/> (permessage-deflate was negotiated), and then only on the first frame of
    /// a data message (RFC 7692 section 6); RSV2 and RSV3 never are.
    /// </summary>
    public static int ValidateStart(byte first, byte second, bool deflate = false)
    {
        int opcode = first & 0x0F;
        if ((first & 0x30) != 0 || ((first & 0x40) != 0 && !deflate))
        {
            throw new WebSocketProtocolException("reserved bits set without a negotiated extension");
        }
        if (opcode is not (WebSocketFrames.OpcodeContinuation or WebSocketFrames.OpcodeText or WebSocketFrames.OpcodeBinary
            or WebSocketFrames.OpcodeClose or WebSocketFrames.OpcodePing or WebSocketFrames.OpcodePong))
        {
            throw new WebSocketProtocolException($"unknown opcode {opcode}");
        }
        if ((first & 0x40) != 0 && opcode is not (WebSocketFrames.OpcodeText or WebSocketFrames.OpcodeBinary))
        {
            throw new WebSocketProtocolException(opcode == WebSocketFrames.OpcodeContinuation
                ? "RSV1 set on a continuation frame (permessage-deflate marks the first frame only)"
                : "RSV1 set on a control frame (control frames are never compressed)");
        }

        int length7 = second & 0x7F;
        if (opcode >= WebSocketFrames.OpcodeClose)
        {
            if ((first & 0x80) == 0)
            {
                throw new WebSocketProtocolException("fragmented control frame");
            }
            if (length7 > WebSocketFrames.MaxControlPayloadLength)
            {
                throw new WebSocketProtocolException("control frame payload over 125 bytes");
            }
        }

        if ((second & 0x80) == 0)
        {
            throw new WebSocketProtocolException("client frame is not masked");
        }

        int extendedLength = length7 switch { 126 => 2, 127 => 8, _ => 0 };
        return extendedLength + 4;
    }

    /// <summary>Parses a complete header whose first two bytes passed <see cref="ValidateStart"/>.</summary>
    public static ClientFrameHeader Parse(ReadOnlySpan<byte> header)
    {
        byte first = header[0];
        int length7 = header[1] & 0x7F;
        long payloadLength;
        ReadOnlySpan<byte> rest = header[2..];
        switch (length7)
        {
            case 126:
                payloadLength = BinaryPrimitives.ReadUInt16BigEndian(rest);
                rest = rest[2..];
                break;
            case 127:
                ulong length64 = BinaryPrimitives.ReadUInt64BigEndian(rest);
                if (length64 > long.MaxValue)
                {
                    throw new WebSocketProtocolException("payload length has its most significant bit set");
                }
                payloadLength = (long)length64;
                rest = rest[8..];
                break;
            default:
                payloadLength = length7;
                break;
        }

        // Kept in memory order; WebSocketMask applies it with native-order loads, so endianness never matters.
        int maskKey = MemoryMarshal.Read<int>(rest);
        return new ClientFrameHeader((byte)(first & 0x0F), (first & 0x80) != 0, payloadLength, maskKey, (first & 0x40) != 0);
    }
}
