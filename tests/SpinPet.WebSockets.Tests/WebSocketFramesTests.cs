using System.Buffers.Binary;
using System.Runtime.InteropServices;
using SpinPet.WebSockets;

namespace SpinPet.WebSockets.Tests;

public sealed class WebSocketFramesTests
{
    [Theory]
    [InlineData(0, 2)]
    [InlineData(125, 2)]
    [InlineData(126, 4)]
    [InlineData(65535, 4)]
    [InlineData(65536, 10)]
    [InlineData(long.MaxValue, 10)]
    public void Header_length_switches_at_126_and_65536_bytes(long payloadLength, int expected)
    {
        Span<byte> header = stackalloc byte[WebSocketFrames.MaxHeaderLength];
        Assert.Equal(expected, WebSocketFrames.WriteHeader(header, WebSocketFrames.OpcodeText, fin: true, payloadLength));
        Assert.Equal(expected, WebSocketFrames.GetHeaderLength(payloadLength));
    }

    [Fact]
    public void Header_carries_fin_opcode_and_big_endian_lengths_without_a_mask()
    {
        byte[] header = new byte[WebSocketFrames.MaxHeaderLength];

        Assert.Equal(2, WebSocketFrames.WriteHeader(header, WebSocketFrames.OpcodeText, fin: true, 125));
        Assert.Equal([0x81, 125], header[..2]);

        Assert.Equal(4, WebSocketFrames.WriteHeader(header, WebSocketFrames.OpcodeBinary, fin: false, 300));
        Assert.Equal([0x02, 126, 0x01, 0x2C], header[..4]);

        Assert.Equal(10, WebSocketFrames.WriteHeader(header, WebSocketFrames.OpcodeClose, fin: true, 0x1_0000_0001));
        Assert.Equal(0x88, header[0]);
        Assert.Equal(127, header[1]);
        Assert.Equal(0x1_0000_0001UL, BinaryPrimitives.ReadUInt64BigEndian(header.AsSpan(2)));
    }

    [Fact]
    public void Header_refuses_a_destination_that_is_too_small()
    {
        Assert.Throws<ArgumentException>(() => WebSocketFrames.WriteHeader(new byte[3], WebSocketFrames.OpcodeText, true, 126));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(7)]
    [InlineData(8)]
    [InlineData(15)]
    [InlineData(16)]
    [InlineData(17)]
    [InlineData(31)]
    [InlineData(1000)]
    public void Mask_matches_a_byte_by_byte_xor(int length)
    {
        byte[] key = [0x12, 0x9A, 0xF0, 0x4C];
        byte[] data = new byte[length];
        new Random(length).NextBytes(data);
        byte[] expected = data.Select((b, i) => (byte)(b ^ key[i % 4])).ToArray();

        WebSocketMask.Apply(data, MemoryMarshal.Read<int>(key));

        Assert.Equal(expected, data);
    }

    [Theory]
    [InlineData(0xC1, 0x80, "reserved bits")]     // RSV1 without permessage-deflate
    [InlineData(0x83, 0x80, "unknown opcode 3")]
    [InlineData(0x8B, 0x80, "unknown opcode 11")]
    [InlineData(0x09, 0x80, "fragmented control frame")]
    [InlineData(0x89, 0xFE, "control frame payload over 125 bytes")]
    [InlineData(0x81, 0x05, "not masked")]
    public void Client_header_rejects_what_a_client_must_not_send(byte first, byte second, string problem)
    {
        var error = Assert.Throws<WebSocketProtocolException>(() => ClientFrameHeader.ValidateStart(first, second));
        Assert.Equal(WebSocketCloseCodes.ProtocolError, error.CloseCode);
        Assert.Contains(problem, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Client_header_parses_a_64_bit_length_and_the_mask()
    {
        byte[] header = [0x82, 0xFF, 0, 0, 0, 0, 0, 1, 0, 0, 1, 2, 3, 4];
        Assert.Equal(12, ClientFrameHeader.ValidateStart(header[0], header[1]));

        var parsed = ClientFrameHeader.Parse(header);

        Assert.Equal(new ClientFrameHeader(WebSocketFrames.OpcodeBinary, true, 65536, MemoryMarshal.Read<int>(header.AsSpan(10))), parsed);
    }
}
