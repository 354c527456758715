using System.Text.Json;
using SpinPet.Core.Candles;
using SpinPet.Core.Chain;
using SpinPet.Streaming.Protocol;
using SpinPet.Streaming.Sessions;
using SpinPet.Streaming.Topics;

namespace SpinPet.Streaming.Tests.Protocol;

/// <summary>The sizes docs/protocol.md and docs/security.md quote for the outbox bound, measured on the real serializer.</summary>
public sealed class MessageSizeTests
{
    private static readonly TopicKey Topic = new(new PublicKey(Enumerable.Repeat((byte)0xFE, 32).ToArray()), Interval.S1);

    [Fact]
    public void A_1000_candle_history_is_at_most_272_KB_so_the_default_outbox_holds_three_at_their_largest()
    {
        // The longest value of every field: 20-digit times and counts, 24-character doubles, realtime candles.
        var worst = new Candle(long.MinValue, -1.2345678901234567E-300, -1.2345678901234567E-300, -1.2345678901234567E-300,
            -1.2345678901234567E-300, -1.2345678901234567E-300, long.MinValue, IsFinal: false);
        byte[] largest = History(Enumerable.Repeat(worst, 1000));
        // A realistic page: chain times, prices around 3e-8 from reserve ratios (full 17-digit doubles), volumes of
        // whole lamports, final candles.
        byte[] typical = History(Enumerable.Range(0, 1000).Select(i =>
        {
            double price = 1.0 / (35_768_123.0 + (i * 7919));
            return new Candle(1_764_062_370 + i, price, price * 1.003, price * 0.997, price * 1.001, 123_456_789_012 + i, 37, IsFinal: true);
        }));

        Assert.InRange(largest.Length, 260_000, 272_000);
        Assert.InRange(typical.Length, 190_000, 230_000);
        long perReply = largest.Length + Outbox.EntryOverheadBytes;
        Assert.True(3 * perReply < new StreamingOptions { Intervals = Interval.Required }.MaxOutboxBytes);
        Assert.True(4 * perReply > 1_048_576, "the docs say a fourth worst-case page does not fit");
        Assert.True(perReply + typical.Length + Outbox.EntryOverheadBytes < 512 * 1024, "the smallest allowed websocket.max_outbox_bytes holds the largest and a typical one");
    }

    [Fact]
    public void A_greeting_with_10000_symbols_is_under_480_KB_and_its_parts_make_one_json_object()
    {
        var symbols = Enumerable.Range(0, 10_000).Select(i => new PublicKey(Enumerable.Repeat((byte)(200 + (i % 50)), 32).ToArray()).ToString()).ToList();
        byte[] head = ServerMessages.ConnectionSuccessHead("5f0c0000-0000-4000-8000-000000000000", 1_764_062_400);
        byte[] tail = ServerMessages.ConnectionSuccessTail(symbols, """["s1","s30","m5"]"""u8);

        Assert.True(head.Length + tail.Length < 480_000, $"{head.Length + tail.Length} bytes");
        using var greeting = JsonDocument.Parse((byte[])[.. head, .. tail]);
        var root = greeting.RootElement;
        Assert.Equal("connection_success", root.GetProperty("type").GetString());
        Assert.Equal(1_764_062_400, root.GetProperty("server_time").GetInt64());
        Assert.Equal(symbols, root.GetProperty("supported_symbols").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(["s1", "s30", "m5"], root.GetProperty("supported_intervals").EnumerateArray().Select(e => e.GetString()));
    }

    private static byte[] History(IEnumerable<Candle> candles) =>
        ServerMessages.HistoryData(Topic, Topic.Mint.ToString(), new HistoryPage([.. candles], HasMore: true, TotalCount: long.MaxValue)
        {
            // The longest position: a recovered flag, a 19-digit seq and a 128-character epoch (a resume's longest).
            Recovered = false,
            Position = new Core.Stream.StreamPosition(new string('e', ClientRequest.MaxEpochLength), long.MaxValue),
        }, 1_764_062_401_123);
}
