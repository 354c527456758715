using System.Text;
using SpinPet.SocketIO.Engine;
using SpinPet.SocketIO.Namespaces;
using SpinPet.SocketIO.Protocol;

namespace SpinPet.SocketIO.Tests.Protocol;

public sealed class SocketIOPacketWriterTests
{
    [Fact]
    public void Packets_are_written_as_the_reference_encoder_writes_them()
    {
        Assert.Equal("""40/kline,{"sid":"abc"}""", Text(SocketIOPacketWriter.ConnectReply("/kline"u8, "abc")));
        Assert.Equal("""40{"sid":"abc"}""", Text(SocketIOPacketWriter.ConnectReply("/"u8, "abc")));
        Assert.Equal("""44/other,{"message":"Invalid namespace"}""", Text(SocketIOPacketWriter.ConnectError("/other"u8, "Invalid namespace")));
        Assert.Equal("41/kline,", Text(SocketIOPacketWriter.Disconnect("/kline"u8)));
        Assert.Equal("41", Text(SocketIOPacketWriter.Disconnect("/"u8)));
        Assert.Equal("""42/kline,["history_data",{"a":1}]""", Text(SocketIOPacketWriter.Event("/kline"u8, "history_data", """{"a":1}"""u8)));
        Assert.Equal("""42/kline,["pong"]""", Text(SocketIOPacketWriter.Event("/kline"u8, "pong", default)));
        Assert.Equal("""43/kline,12[{"a":1}]""", Text(SocketIOPacketWriter.Ack("/kline"u8, 12, """{"a":1}"""u8)));
        Assert.Equal("""43/kline,0[]""", Text(SocketIOPacketWriter.Ack("/kline"u8, 0, default)));
    }

    [Fact]
    public void Event_names_are_json_escaped() =>
        Assert.Equal("""42["a\u0022b\u003C",1]""", Text(SocketIOPacketWriter.Event("/"u8, "a\"b<", "1"u8)));

    [Fact]
    public void Shared_spliced_packet_is_two_pieces_around_the_per_client_value()
    {
        var packet = SharedEventPacket.CreateSpliced("/kline", "kline_data", """{"symbol":"S","subscription_id":"""u8, ""","data":{"close":1}}"""u8);
        Assert.True(packet.IsSpliced);
        Assert.Equal("""42/kline,["kline_data",{"symbol":"S","subscription_id":""", Text(packet.Head));
        Assert.Equal(""","data":{"close":1}}]""", Text(packet.Tail));
        byte[] id = "\"sub_1\""u8.ToArray();
        Assert.Equal(packet.Head.Length + id.Length + packet.Tail.Length, packet.Length(id.Length));
        var message = new EngineTextMessage(packet.Head, id, packet.Tail);
        Assert.Equal(packet.Length(id.Length), message.Length);
    }

    [Fact]
    public void Shared_packet_refuses_a_raw_record_separator()
    {
        Assert.Throws<ArgumentException>(() => SharedEventPacket.Create("/kline", "x", "\"a\u001eb\""u8));
        Assert.Throws<ArgumentException>(() => SharedEventPacket.CreateSpliced("/kline", "x", "{\"a\":"u8, ",\"b\":\"\u001e\"}"u8));
    }

    [Fact]
    public void Open_packet_carries_the_handshake()
    {
        var open = SocketIOPacketWriter.Open(new EngineHandshake("s", ["websocket"], 25000, 20000, 1048576));
        Assert.Equal("""0{"sid":"s","upgrades":["websocket"],"pingInterval":25000,"pingTimeout":20000,"maxPayload":1048576}""", Text(open));
    }

    [Fact]
    public void Polling_payload_splits_at_the_record_separator()
    {
        ReadOnlyMemory<byte> payload = Encoding.UTF8.GetBytes("3\u001e42[\"a\"]\u001e\u001e1");
        var packets = new List<string>();
        int offset = 0;
        while (EnginePackets.TryReadNext(payload, ref offset, out var packet))
        {
            packets.Add(Text(packet.Span));
        }
        Assert.Equal(["3", "42[\"a\"]", "", "1"], packets);
    }

    [Theory]
    [InlineData("0", true)]
    [InlineData("6", true)]
    [InlineData("7", false)]
    [InlineData("b", false)]
    [InlineData("", false)]
    public void Engine_packet_type_is_its_first_digit(string packet, bool known) =>
        Assert.Equal(known, EnginePackets.TryReadType(Encoding.UTF8.GetBytes(packet), out _));

    private static string Text(ReadOnlySpan<byte> bytes) => Encoding.UTF8.GetString(bytes);
}
