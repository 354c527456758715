using System.Diagnostics;
using BenchmarkDotNet.Attributes;
using SpinPet.Core.Candles;
using SpinPet.Core.Chain;
using SpinPet.Streaming.Protocol;
using SpinPet.Streaming.Topics;
using SpinPet.WebSockets;

namespace SpinPet.Benchmarks;

/// <summary>
/// The CPU cost of permessage-deflate per candle update: serializing a <c>kline_data</c> frame once (the baseline:
/// what every update costs anyway) against compressing its two shared parts once (what a compression-enabled server
/// adds per update, whatever the number of compressing subscribers), and against compressing the whole message per
/// subscriber, the design this server avoids.
/// </summary>
[MemoryDiagnoser]
[MedianColumn, MinColumn, MaxColumn]
[SimpleJob(warmupCount: 3, iterationCount: 10)]
public class DeflateBenchmarks
{
    private static readonly TopicKey Topic = new(PublicKey.Parse("81WZbeJwfo9mTBRZsBqaUBWa2jeRKH2LQi54uwXdZYoa"), Interval.Parse("s1"));
    private static readonly Candle Candle = new(1_764_062_401, 2.7959e-8, 2.8012e-8, 2.7951e-8, 2.8001e-8, 0, 4, false);
    private KlineFrame _frame = null!;
    private byte[] _message = [];

    [GlobalSetup]
    public void Setup()
    {
        _frame = Serialize();
        _message = [.. _frame.Prefix, .. "\"sub_1\""u8, .. _frame.Suffix];
    }

    [Benchmark(Baseline = true, Description = "serialize the shared frame (every update)")]
    public KlineFrame Serialize() =>
        KlineDataFormat.Instance.Serialize(Topic, Topic.Mint.ToString(), Candle, sequence: 1, nowMs: 1_764_062_401_212, Stopwatch.GetTimestamp(), position: default);

    [Benchmark(Description = "compress its shared parts once (per update)")]
    public int CompressSharedParts()
    {
        var deflated = DeflatedSplice.Create(_frame.Prefix, _frame.Suffix);
        return deflated.Prefix.Length + deflated.Suffix.Length;
    }

    [Benchmark(Description = "compress the whole message (per subscriber, avoided)")]
    public int CompressWholeMessage() => PerMessageDeflate.Compress(_message).Length;
}
