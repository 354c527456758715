using System.Text;
using SpinPet.SocketIO.Protocol;

namespace SpinPet.SocketIO.Tests.Protocol;

public sealed class SocketIOPacketReaderTests
{
    [Theory]
    [InlineData("0", 0, "/", null, "")]
    [InlineData("0/kline,", 0, "/kline", null, "")]
    [InlineData("0/kline", 0, "/kline", null, "")]
    [InlineData("""0/kline,{"token":"x"}""", 0, "/kline", null, """{"token":"x"}""")]
    [InlineData("""2["a",1]""", 2, "/", null, """["a",1]""")]
    [InlineData("""2/kline,12["history",{}]""", 2, "/kline", 12L, """["history",{}]""")]
    [InlineData("""212["a"]""", 2, "/", 12L, """["a"]""")]
    [InlineData("""3/kline,999999999999999[]""", 3, "/kline", 999999999999999L, "[]")]
    [InlineData("1/kline,", 1, "/kline", null, "")]
    [InlineData("""51-/kline,["a",{"_placeholder":true,"num":0}]""", 5, "/kline", null, """["a",{"_placeholder":true,"num":0}]""")]
    public void Header_is_read_as_the_reference_parser_reads_it(string text, int type, string ns, long? ackId, string data)
    {
        Assert.True(SocketIOPacketReader.TryReadHeader(Encoding.UTF8.GetBytes(text), out var packet, out var problem), problem);
        Assert.Equal((SocketIOPacketType)type, packet.Type);
        Assert.Equal(ns, Encoding.UTF8.GetString(packet.Namespace.Span));
        Assert.Equal(ackId, packet.AckId);
        Assert.Equal(data, Encoding.UTF8.GetString(packet.Data.Span));
    }

    [Theory]
    [InlineData("")]
    [InlineData("7")]
    [InlineData("x")]
    [InlineData("""5/kline,["a"]""")]
    [InlineData("""5x-/kline,["a"]""")]
    [InlineData("""51234567890-/kline,["a"]""")]
    [InlineData("""21234567890123456["a"]""")]
    [InlineData("0/kl\u0001ine,")]
    public void Malformed_header_is_refused_with_a_reason(string text)
    {
        Assert.False(SocketIOPacketReader.TryReadHeader(Encoding.UTF8.GetBytes(text), out _, out var problem));
        Assert.False(string.IsNullOrEmpty(problem));
    }

    [Fact]
    public void Namespace_over_256_bytes_is_refused()
    {
        string ns = "/" + new string('n', 256);
        Assert.False(SocketIOPacketReader.TryReadHeader(Encoding.UTF8.GetBytes($"0{ns},"), out _, out var problem));
        Assert.Contains("256", problem, StringComparison.Ordinal);
        Assert.True(SocketIOPacketReader.TryReadHeader(Encoding.UTF8.GetBytes($"0{ns[..256]},"), out _, out _));
    }

    [Theory]
    [InlineData("""["subscribe",{"symbol":"S","limit":3}]""", "subscribe", """{"symbol":"S","limit":3}""", 1)]
    [InlineData("""[ "ping" ]""", "ping", "", 0)]
    [InlineData("""["two",[1,2],"x"]""", "two", "[1,2]", 2)]
    [InlineData("""["s","just a string"]""", "s", "\"just a string\"", 1)]
    [InlineData("""[42,{}]""", "42", "{}", 1)]
    [InlineData("""["\u0068istory",{}]""", "history", "{}", 1)]
    public void Event_name_and_first_argument_are_read(string data, string name, string argument, int count)
    {
        Assert.True(SocketIOPacketReader.TryReadEvent(Encoding.UTF8.GetBytes(data), out string readName, out var readArgument, out int readCount, out var problem), problem);
        Assert.Equal(name, readName);
        Assert.Equal(argument, Encoding.UTF8.GetString(readArgument.Span));
        Assert.Equal(count, readCount);
    }

    [Theory]
    [InlineData("""{"a":1}""")]
    [InlineData("[]")]
    [InlineData("""[{"a":1}]""")]
    [InlineData("""[null]""")]
    [InlineData("""["connect"]""")]
    [InlineData("""["disconnect",{}]""")]
    [InlineData("""["removeListener"]""")]
    [InlineData("""["a",{]""")]
    [InlineData("""["a"] ["b"]""")]
    [InlineData("""["a"]x""")]
    [InlineData("")]
    public void Invalid_event_data_is_refused_without_throwing(string data)
    {
        Assert.False(SocketIOPacketReader.TryReadEvent(Encoding.UTF8.GetBytes(data), out _, out _, out _, out var problem));
        Assert.False(string.IsNullOrEmpty(problem));
    }

    [Fact]
    public void Deep_nesting_is_refused_without_exhausting_the_stack()
    {
        string deep = "[\"a\"," + new string('[', 10_000) + new string(']', 10_000) + "]";
        Assert.False(SocketIOPacketReader.TryReadEvent(Encoding.UTF8.GetBytes(deep), out _, out _, out _, out _));
        Assert.False(SocketIOPacketReader.IsObject(Encoding.UTF8.GetBytes(new string('{', 5000))));
    }

    [Theory]
    [InlineData("{}", true)]
    [InlineData("""{"a":[1]}""", true)]
    [InlineData("[]", false)]
    [InlineData("{} {}", false)]
    [InlineData("\"x\"", false)]
    [InlineData("{", false)]
    public void Connect_payload_must_be_one_object(string json, bool valid) =>
        Assert.Equal(valid, SocketIOPacketReader.IsObject(Encoding.UTF8.GetBytes(json)));
}
