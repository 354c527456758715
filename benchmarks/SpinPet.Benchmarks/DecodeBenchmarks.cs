using System.Buffers.Text;
using System.Text;
using BenchmarkDotNet.Attributes;
using SpinPet.Core.Chain;
using SpinPet.Core.Events;
using SpinPet.Solana.Decoding;

namespace SpinPet.Benchmarks;

/// <summary>
/// The decode path of one <c>Program data:</c> line and of whole transactions, against the floor every decode pays:
/// base64 → bytes of the same BuySell payload with <c>Convert.FromBase64String</c> (<see cref="Base64Floor"/>, the
/// baseline of the Ratio column), beside the non-allocating call the decoder makes and a vectorized alternative.
/// </summary>
[MemoryDiagnoser]
[MedianColumn, MinColumn, MaxColumn]
[SimpleJob(warmupCount: 3, iterationCount: 10)]
public class DecodeBenchmarks
{
    private readonly TransactionDecoder _decoder = new(PublicKey.Parse(AnchorLogs.ProgramId));
    private readonly LogWalker _walker = new(PublicKey.Parse(AnchorLogs.ProgramId));
    private string _buySellBase64 = "";
    private byte[] _buySell = [];
    private byte[] _longShort = [];
    private byte[] _partialClose = [];
    private byte[] _tokenCreated = [];
    private string[] _buyTransaction = [];
    private string[] _threeEventTransaction = [];
    private byte[] _base64Output = [];
    private byte[] _base64Ascii = [];

    [GlobalSetup]
    public void Setup()
    {
        var buySell = GoldenVectors.First("BuySellEvent");
        _buySellBase64 = buySell.Base64;
        _buySell = buySell.Payload;
        _base64Output = new byte[buySell.Payload.Length];
        _base64Ascii = new byte[buySell.Base64.Length];
        _longShort = GoldenVectors.First("LongShortEvent").Payload;
        _partialClose = GoldenVectors.First("PartialCloseEvent").Payload;
        _tokenCreated = GoldenVectors.First("TokenCreatedEvent").Payload;
        _buyTransaction = AnchorLogs.Transaction("Buy", buySell.Base64);
        // A close that settles against the curve: the partial close, the curve trade it causes, a new order.
        _threeEventTransaction = AnchorLogs.Transaction(
            "PartialCloseLong",
            GoldenVectors.First("PartialCloseEvent").Base64,
            GoldenVectors.Of("BuySellEvent")[1].Base64,
            GoldenVectors.First("LongShortEvent").Base64);

        // A benchmark of a decode that silently rejects measures the wrong path: check each input once.
        Expect(Decode(_buyTransaction), events: 1);
        Expect(Decode(_threeEventTransaction), events: 3);
        foreach (var payload in (byte[][])[_buySell, _longShort, _partialClose, _tokenCreated])
        {
            if (EventDecoder.TryDecode(payload, out _) != DecodeStatus.Ok)
            {
                throw new InvalidOperationException("A golden vector does not decode.");
            }
        }
        foreach (var variant in (Func<int>[])[Base64_TryFromBase64Chars, Base64_AsciiThenBase64Utf8])
        {
            Array.Clear(_base64Output);
            if (variant() != _buySell.Length || !_base64Output.AsSpan().SequenceEqual(_buySell))
            {
                throw new InvalidOperationException("A base64 variant does not give the payload's bytes.");
            }
        }
    }

    [Benchmark(Baseline = true)]
    public byte[] Base64Floor() => Convert.FromBase64String(_buySellBase64);

    /// <summary>What TransactionDecodeSession calls today: Convert's UTF-16 decoder into a buffer, no allocation.</summary>
    [Benchmark]
    public int Base64_TryFromBase64Chars()
    {
        Convert.TryFromBase64Chars(_buySellBase64, _base64Output, out int written);
        return written;
    }

    /// <summary>
    /// The same bytes by narrowing to ASCII first and then running the vectorized UTF-8 base64 decoder: a
    /// candidate for the decoder's base64 step (docs/benchmarks.md), measured here beside what it would replace.
    /// </summary>
    [Benchmark]
    public int Base64_AsciiThenBase64Utf8()
    {
        Ascii.FromUtf16(_buySellBase64, _base64Ascii, out int ascii);
        Base64.DecodeFromUtf8(_base64Ascii.AsSpan(0, ascii), _base64Output, out _, out int written);
        return written;
    }

    [Benchmark]
    public SpinPetEvent? TryDecode_BuySell() => TryDecode(_buySell);

    [Benchmark]
    public SpinPetEvent? TryDecode_LongShort() => TryDecode(_longShort);

    [Benchmark]
    public SpinPetEvent? TryDecode_PartialClose() => TryDecode(_partialClose);

    [Benchmark]
    public SpinPetEvent? TryDecode_TokenCreated() => TryDecode(_tokenCreated);

    /// <summary>The stack walk alone over the Buy transaction's 15 lines: what the decoder pays before base64.</summary>
    [Benchmark]
    public int LogWalker_BuyTx()
    {
        _walker.Reset();
        int ours = 0;
        foreach (string line in _buyTransaction)
        {
            if (_walker.Next(line, out _) == LogLineKind.OurData)
            {
                ours++;
            }
        }
        return ours;
    }

    [Benchmark]
    public TransactionDecodeResult TransactionDecoder_BuyTx() => _decoder.Decode(_buyTransaction);

    [Benchmark]
    public TransactionDecodeResult TransactionDecoder_3EventTx() => _decoder.Decode(_threeEventTransaction);

    private static SpinPetEvent? TryDecode(byte[] payload)
    {
        EventDecoder.TryDecode(payload, out var ev);
        return ev;
    }

    private TransactionDecodeResult Decode(string[] lines) => _decoder.Decode(lines);

    private static void Expect(TransactionDecodeResult result, int events)
    {
        if (result.Events.Count != events || result.RejectedPayloads.Count != 0 || result.StackAnomalies != 0)
        {
            throw new InvalidOperationException(
                $"Expected {events} clean events, got {result.Events.Count} ({result.RejectedPayloads.Count} rejected, " +
                $"{result.StackAnomalies} stack anomalies).");
        }
    }
}
