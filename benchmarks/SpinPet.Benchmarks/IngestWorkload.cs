using System.Buffers.Binary;
using SpinPet.Core.Chain;
using SpinPet.Core.Ingest;
using SpinPet.Solana.Decoding;

namespace SpinPet.Benchmarks;

/// <summary>
/// A fixed stream of SpinPet transactions as log lines, built once: a cycle of ten shapes, mostly single buys and
/// sells, some margin opens, closes and liquidations, 1–3 events each, the golden payloads rotated through. Every
/// transaction it hands out gets a fresh signature and the next chain position from a counter, so replaying the same
/// lines into one store never hits the idempotence check and never overwrites a row.
/// </summary>
internal sealed class IngestWorkload
{
    /// <summary>
    /// Transactions per pass over the workload: enough that one pass through RocksDB takes ~200 ms, well above
    /// BenchmarkDotNet's 100 ms minimum for a single-invocation iteration.
    /// </summary>
    public const int Transactions = 40_000;

    /// <summary>Events per pass: 14 per cycle of 10 shapes. A constant because OperationsPerInvoke needs one.</summary>
    public const int Events = Transactions / 10 * 14;

    /// <summary>Transactions per Apply, as the ingest loop batches them; each batch also writes a checkpoint.</summary>
    public const int BatchSize = 512;

    private const int TransactionsPerSlot = 4;
    private const long BaseBlockTime = 1_760_000_000;

    private ulong _next;

    public IngestWorkload()
    {
        Lines = new string[Transactions][];
        int events = 0;
        for (int t = 0; t < Transactions; t++)
        {
            string[] lines = Shape(t, static vector => vector.Base64);
            Lines[t] = lines;
            events += lines.Count(static line => line.StartsWith("Program data: ", StringComparison.Ordinal));
        }
        if (events != Events)
        {
            throw new InvalidOperationException($"The workload has {events} events, the constant says {Events}.");
        }
    }

    public string[][] Lines { get; }

    /// <summary>The decoded transaction as the ingest loop hands it to the store, at the next chain position.</summary>
    public IngestedTransaction Next(TransactionDecodeResult decoded)
    {
        ulong n = _next++;
        ulong slot = 300_000_000 + (n / TransactionsPerSlot);
        return new IngestedTransaction(
            Signature(n),
            slot,
            (uint)(n % TransactionsPerSlot),
            BaseBlockTime + (long)(n / TransactionsPerSlot * 2 / 5),
            Failed: false,
            decoded.Events,
            decoded.RejectedPayloads);
    }

    /// <summary>
    /// The log lines of transaction <paramref name="t"/> of the cycle of ten shapes, each golden vector it uses
    /// written as <paramref name="base64"/> gives it (the vector's own text, or a copy for another mint).
    /// </summary>
    internal static string[] Shape(int t, Func<GoldenVector, string> base64)
    {
        var buySell = GoldenVectors.Of("BuySellEvent");
        var longShort = GoldenVectors.Of("LongShortEvent");
        var fullClose = GoldenVectors.Of("FullCloseEvent");
        var partialClose = GoldenVectors.Of("PartialCloseEvent");
        var liquidate = GoldenVectors.Of("ForceLiquidateEvent");
        int v = t / 10;
        string B(int k) => base64(buySell[(v + k) % buySell.Count]);
        return (t % 10) switch
        {
            0 or 2 or 4 or 9 => AnchorLogs.Transaction("Buy", B(0)),
            1 or 5 => AnchorLogs.Transaction("Sell", B(1)),
            3 => AnchorLogs.Transaction("Long", base64(longShort[v % longShort.Count]), B(2)),
            // A sell deep enough to trigger two liquidations before the trade itself.
            6 => AnchorLogs.Transaction(
                "Sell", base64(liquidate[v % liquidate.Count]), base64(liquidate[(v + 1) % liquidate.Count]), B(3)),
            7 => AnchorLogs.Transaction("CloseLong", base64(fullClose[v % fullClose.Count])),
            _ => AnchorLogs.Transaction("PartialCloseShort", base64(partialClose[v % partialClose.Count]), B(0)),
        };
    }

    // 64 bytes that look random (as real ed25519 signatures do, which matters to the signatures index) and are
    // unique per n: SplitMix64 is a bijection, so distinct inputs n*8+k never collide.
    internal static TxSignature Signature(ulong n)
    {
        Span<byte> bytes = stackalloc byte[TxSignature.Length];
        for (int k = 0; k < TxSignature.Length / sizeof(ulong); k++)
        {
            BinaryPrimitives.WriteUInt64LittleEndian(bytes[(k * sizeof(ulong))..], SplitMix64((n * 8) + (ulong)k));
        }
        return new TxSignature(bytes);
    }

    internal static ulong SplitMix64(ulong x)
    {
        x += 0x9E3779B97F4A7C15;
        x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9;
        x = (x ^ (x >> 27)) * 0x94D049BB133111EB;
        return x ^ (x >> 31);
    }
}
