using System.Buffers.Binary;

namespace SpinPet.WebSockets;

/// <summary>RFC 6455 section 5.2 frame layout for frames this server sends (never masked).</summary>
public static class WebSocketFrames
{
    /// <summary>2 bytes, plus 8 for a 64-bit length; servers send no masking key.</summary>
    public const int MaxHeaderLength = 10;

    public const byte OpcodeContinuation = 0x0;
    public const byte OpcodeText = 0x1;
    public const byte OpcodeBinary = 0x2;
    public const byte OpcodeClose = 0x8;
    public const byte OpcodePing = 0x9;
    public const byte OpcodePong = 0xA;

    /// <summary>Control frames carry at most 125 payload bytes (RFC 6455 section 5.5).</summary>
    public const int MaxControlPayloadLength = 125;

    /// <summary>Length of the unmasked header for a payload of <paramref name="payloadLength"/> bytes: 2, 4 or 10.</summary>
    public static int GetHeaderLength(long payloadLength)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(payloadLength);
        return payloadLength <= 125 ? 2 : payloadLength <= ushort.MaxValue ? 4 : 10;
    }

    /// <summary>
    /// Writes an unmasked frame header and returns its length (2, 4 or 10 bytes). <paramref name="compressed"/> sets
    /// RSV1, the permessage-deflate mark of a compressed message's first frame.
    /// </summary>
    public static int WriteHeader(Span<byte> destination, byte opcode, bool fin, long payloadLength, bool compressed = false)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(opcode, (byte)0xF);
        int length = GetHeaderLength(payloadLength);
        if (destination.Length < length)
        {
            throw new ArgumentException($"The header needs {length} bytes.", nameof(destination));
        }

        destination[0] = (byte)((fin ? 0x80 : 0) | (compressed ? 0x40 : 0) | opcode);
        switch (length)
        {
            case 2:
                destination[1] = (byte)payloadLength;
                break;
            case 4:
                destination[1] = 126;
                BinaryPrimitives.WriteUInt16BigEndian(destination[2..], (ushort)payloadLength);
                break;
            default:
                destination[1] = 127;
                BinaryPrimitives.WriteUInt64BigEndian(destination[2..], (ulong)payloadLength);
                break;
        }
        return length;
    }
}
