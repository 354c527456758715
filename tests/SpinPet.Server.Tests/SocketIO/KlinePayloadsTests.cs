using System.Text;
using System.Text.Json;
using SpinPet.Core.Candles;
using SpinPet.Core.Chain;
using SpinPet.Server.SocketIO;
using SpinPet.Streaming;
using SpinPet.Streaming.Protocol;
using SpinPet.Streaming.Topics;

namespace SpinPet.Server.Tests.SocketIO;

/// <summary>
/// The <c>/kline</c> payloads are the <c>data</c> objects of <c>/ws</c>'s messages (socketio.md), cut out of the bytes
/// <see cref="ServerMessages"/> and <see cref="KlineDataFormat"/> write: equal field for field, history newest first.
/// </summary>
public sealed class KlinePayloadsTests
{
    private static readonly TopicKey Topic = new(new PublicKey([7, .. new byte[31]]), Interval.S30);
    private static readonly Candle Older = new(1_764_062_370, 2.7959e-8, 2.8012e-8, 2.7959e-8, 2.8001e-8, 0.25, 3, true);
    private static readonly Candle Newer = new(1_764_062_400, 2.8001e-8, 2.9e-8, 2.8e-8, 2.85e-8, 1.5, 4, false);

    [Fact]
    public void Kline_data_is_one_packet_around_the_subscription_id_whose_argument_is_the_ws_data_object()
    {
        string symbol = Topic.Mint.ToString();
        var frame = SocketIOKlineFormat.Instance.Serialize(Topic, symbol, Newer, sequence: 5, nowMs: 1_764_062_401_212, publishedAt: 0, position: default);
        var wsFrame = KlineDataFormat.Instance.Serialize(Topic, symbol, Newer, sequence: 5, nowMs: 1_764_062_401_212, publishedAt: 0, position: default);

        string packet = Encoding.UTF8.GetString([.. frame.Prefix, .. "\"sub_1\""u8, .. frame.Suffix]);
        string ws = Encoding.UTF8.GetString([.. wsFrame.Prefix, .. "\"sub_1\""u8, .. wsFrame.Suffix]);

        Assert.StartsWith("42/kline,[\"kline_data\",", packet, StringComparison.Ordinal);
        using var socketIO = JsonDocument.Parse(packet["42/kline,".Length..]);
        using var wsMessage = JsonDocument.Parse(ws);
        Assert.Equal(2, socketIO.RootElement.GetArrayLength());
        Assert.Equal(wsMessage.RootElement.GetProperty("data").GetRawText(), socketIO.RootElement[1].GetRawText());
        Assert.Equal("sub_1", socketIO.RootElement[1].GetProperty("subscription_id").GetString());
        Assert.Equal(Newer.Close, socketIO.RootElement[1].GetProperty("data").GetProperty("close").GetDouble());
    }

    [Fact]
    public void A_frames_packet_is_made_once_and_shared_by_every_subscriber()
    {
        var frame = SocketIOKlineFormat.Instance.Serialize(Topic, Topic.Mint.ToString(), Newer, sequence: 1, nowMs: 1, publishedAt: 0, position: default);

        var first = SocketIOKlineFormat.Packet(frame);

        Assert.Same(first, SocketIOKlineFormat.Packet(frame));
        Assert.Same(frame.Prefix, first.Head);
        Assert.Same(frame.Suffix, first.Tail);
    }

    [Fact]
    public void History_data_is_the_ws_data_object_with_its_candles_newest_first()
    {
        var page = new HistoryPage([Older, Newer], HasMore: true, TotalCount: 9);
        string symbol = Topic.Mint.ToString();

        using var socketIO = JsonDocument.Parse(KlinePayloads.HistoryData(Topic, symbol, page, nowMs: 5));
        using var ws = JsonDocument.Parse(ServerMessages.HistoryData(Topic, symbol, page with { Candles = [Newer, Older] }, nowMs: 5));

        Assert.Equal(ws.RootElement.GetProperty("data").GetRawText(), socketIO.RootElement.GetRawText());
        Assert.Equal([Newer.Time, Older.Time], socketIO.RootElement.GetProperty("data").EnumerateArray().Select(c => c.GetProperty("time").GetInt64()));
    }

    [Fact]
    public void Error_is_code_and_message_only()
    {
        string error = Encoding.UTF8.GetString(KlinePayloads.Error(ErrorCode.InvalidRequest, "Invalid interval: h7, \"data\": no"));

        Assert.Equal("""{"code":1001,"message":"Invalid interval: h7, \u0022data\u0022: no"}""", error);
    }

    [Fact]
    public void Connection_success_is_the_ws_greeting_without_type()
    {
        var tail = new SharedFrame([], ServerMessages.ConnectionSuccessTail(["S1"], """["s1","s30"]"""u8));

        string greeting = Encoding.UTF8.GetString(KlinePayloads.ConnectionSuccess("c-1", 1_764_062_400, tail));

        Assert.Equal("""{"client_id":"c-1","server_time":1764062400,"supported_symbols":["S1"],"supported_intervals":["s1","s30"]}""", greeting);
    }
}
