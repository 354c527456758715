using System.Text;
using System.Text.Json;
using SpinPet.Core.Candles;
using SpinPet.Core.Chain;
using SpinPet.Core.Stream;
using SpinPet.Streaming.Protocol;
using SpinPet.Streaming.Topics;

namespace SpinPet.Streaming.Tests.Protocol;

/// <summary>The kline_data serializer reuses one buffer per thread: each frame must still own its bytes.</summary>
public sealed class KlineDataFormatTests
{
    [Fact]
    public void Frames_serialized_one_after_another_on_one_thread_keep_their_own_bytes()
    {
        var first = KlineDataFormat.Instance.Serialize(new TopicKey(Key(1), Interval.S1), Key(1).ToString(),
            new Candle(1_764_062_400, 1.5e-8, 2e-8, 1e-8, 1.75e-8, 10, 2, IsFinal: false), 1, 1_764_062_401_000, 0, new StreamPosition("e1", 7));
        string firstText = Text(first);

        var second = KlineDataFormat.Instance.Serialize(new TopicKey(Key(2), Interval.M5), Key(2).ToString(),
            new Candle(1_764_062_100, 3e-8, 3e-8, 3e-8, 3e-8, 0, 1, IsFinal: true), 2, 1_764_062_402_000, 0, new StreamPosition("e1", 8));

        Assert.Equal(firstText, Text(first));
        using var a = JsonDocument.Parse(firstText);
        using var b = JsonDocument.Parse(Text(second));
        Assert.Equal(Key(1).ToString(), a.RootElement.GetProperty("data").GetProperty("symbol").GetString());
        Assert.Equal(1.75e-8, a.RootElement.GetProperty("data").GetProperty("data").GetProperty("close").GetDouble());
        Assert.Equal("m5", b.RootElement.GetProperty("data").GetProperty("interval").GetString());
        Assert.Equal(3e-8, b.RootElement.GetProperty("data").GetProperty("data").GetProperty("close").GetDouble());
    }

    private static PublicKey Key(byte fill) => new(Enumerable.Repeat(fill, 32).ToArray());

    private static string Text(KlineFrame frame) => Encoding.UTF8.GetString([.. frame.Prefix, .. "\"s\""u8, .. frame.Suffix]);
}
