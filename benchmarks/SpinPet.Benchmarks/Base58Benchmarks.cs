using BenchmarkDotNet.Attributes;
using SimpleBase;
using SpinPet.Core.Chain;

namespace SpinPet.Benchmarks;

/// <summary>
/// Parsing a transaction signature (88 base58 digits → 64 bytes), once per live notification and per listed
/// signature in a backfill, and writing one and an address (once per signature and address in an event's JSON):
/// SimpleBase, which the server used, against our fixed-size base58 (decision 0013). 1,000 random values per operation.
/// </summary>
[MemoryDiagnoser]
[MedianColumn, MinColumn, MaxColumn]
[SimpleJob(warmupCount: 3, iterationCount: 10)]
public class Base58Benchmarks
{
    private string[] _signatures = [];
    private byte[][] _values = [];

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(1);
        _signatures = [.. Enumerable.Range(0, 1_000).Select(_ =>
        {
            var bytes = new byte[TxSignature.Length];
            random.NextBytes(bytes);
            return Base58.Bitcoin.Encode(bytes);
        })];
        _values = [.. _signatures.Select(text => Base58.Bitcoin.Decode(text))];
    }

    [Benchmark(Baseline = true, Description = "SimpleBase TryDecode, 1,000 signatures")]
    public int SimpleBaseDecoder()
    {
        int parsed = 0;
        Span<byte> buffer = stackalloc byte[96];
        foreach (string signature in _signatures)
        {
            // The decoder accumulates into the buffer: it must start zeroed.
            buffer.Clear();
            parsed += Base58.Bitcoin.TryDecode(signature, buffer, out int written) && written == TxSignature.Length ? 1 : 0;
        }
        return parsed;
    }

    [Benchmark(Description = "TxSignature.TryParse, 1,000 signatures")]
    public int FixedSizeDecoder()
    {
        int parsed = 0;
        foreach (string signature in _signatures)
        {
            parsed += TxSignature.TryParse(signature, out _) ? 1 : 0;
        }
        return parsed;
    }

    [Benchmark(Description = "SimpleBase Encode, 1,000 signatures")]
    public int SimpleBaseEncoder()
    {
        int length = 0;
        foreach (var value in _values)
        {
            length += Base58.Bitcoin.Encode(value).Length;
        }
        return length;
    }

    [Benchmark(Description = "TxSignature.ToString, 1,000 signatures")]
    public int FixedSizeEncoder()
    {
        int length = 0;
        foreach (var value in _values)
        {
            length += new TxSignature(value).ToString().Length;
        }
        return length;
    }
}
