using System.Buffers.Binary;
using SpinPet.Core.Chain;
using SpinPet.Core.Ingest;
using SpinPet.Solana.Decoding;

namespace SpinPet.Benchmarks;

/// <summary>
/// The ingest workload's transactions (the same cycle of ten shapes, <see cref="IngestWorkload.Shape"/>) spread over
/// <c>mints</c> tokens, on a chain clock that advances as mainnet does, so candles open and close as they would live.
/// </summary>
/// <remarks>
/// <para>
/// Each transaction trades one mint, drawn uniformly (seeded, so every run and both benchmarks get the same stream).
/// Its payloads are the golden vectors with every copy of the vector's mint replaced by that mint's key (the
/// <c>mint</c> field and, in LongShort and PartialClose, the order state's copy of it).
/// </para>
/// <para>
/// Chain clock: 2.5 transactions per 400 ms slot (slots alternate 3 and 2 transactions), so 6.25 transactions and
/// 7.5 price events per second of block time. One pass of 40,000 transactions covers 6,400 s: with one mint an s1
/// candle takes ~7.5 events before the next second opens the next one; with 10,000 mints a mint trades about every
/// 1,600 s, so nearly every price event opens a new candle in all three intervals and closes the previous one.
/// </para>
/// </remarks>
internal sealed class CandleIngestWorkload
{
    public const int Transactions = IngestWorkload.Transactions;

    public const int Events = IngestWorkload.Events;

    /// <summary>Events that carry a price (BuySell, LongShort, FullClose, PartialClose): 12 of the 14 per cycle.</summary>
    public const int PriceEvents = Transactions / 10 * 12;

    private const long BaseBlockTime = 1_760_000_000;
    private const ulong BaseSlot = 300_000_000;

    private ulong _next;

    public CandleIngestWorkload(int mints)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(mints, 1);
        Mints = new PublicKey[mints];
        for (int m = 0; m < mints; m++)
        {
            Mints[m] = MintKey(m);
        }
        var originals = new Dictionary<GoldenVector, PublicKey>();
        var random = new Random(20_261_125);
        MintOf = new int[Transactions];
        Lines = new string[Transactions][];
        int events = 0;
        for (int t = 0; t < Transactions; t++)
        {
            int m = random.Next(mints);
            MintOf[t] = m;
            Lines[t] = IngestWorkload.Shape(t, vector => ForMint(vector, Mints[m], originals));
            events += Lines[t].Count(static line => line.StartsWith("Program data: ", StringComparison.Ordinal));
        }
        if (events != Events)
        {
            throw new InvalidOperationException($"The workload has {events} events, the constant says {Events}.");
        }
        CheckMints();
    }

    /// <summary>The mints' keys: 32 bytes that look random, distinct per index.</summary>
    public PublicKey[] Mints { get; }

    /// <summary>Per transaction, the index of the mint it trades.</summary>
    public int[] MintOf { get; }

    public string[][] Lines { get; }

    /// <summary>The decoded transaction as the ingest loop hands it to the store, at the next chain position.</summary>
    public IngestedTransaction Next(TransactionDecodeResult decoded)
    {
        ulong n = _next++;
        // Five transactions per two slots: 3 in the even slot, 2 in the odd one.
        ulong slotOffset = n / 5 * 2;
        ulong inPair = n % 5;
        uint txIndex = (uint)inPair;
        if (inPair >= 3)
        {
            slotOffset++;
            txIndex -= 3;
        }
        return new IngestedTransaction(
            IngestWorkload.Signature(n),
            BaseSlot + slotOffset,
            txIndex,
            // 400 ms per slot.
            BaseBlockTime + (long)(slotOffset * 2 / 5),
            Failed: false,
            decoded.Events,
            decoded.RejectedPayloads);
    }

    private static PublicKey MintKey(int index)
    {
        Span<byte> bytes = stackalloc byte[PublicKey.Length];
        for (int k = 0; k < PublicKey.Length / sizeof(ulong); k++)
        {
            // A different input range from the signatures' (n * 8 + k), so no mint shares bytes with a signature.
            ulong x = IngestWorkload.SplitMix64(0x4D494E5400000000UL + ((ulong)index * 4) + (ulong)k);
            BinaryPrimitives.WriteUInt64LittleEndian(bytes[(k * sizeof(ulong))..], x);
        }
        return new PublicKey(bytes);
    }

    /// <summary>The vector's base64 with every copy of its own mint replaced by <paramref name="mint"/>.</summary>
    private static string ForMint(GoldenVector vector, PublicKey mint, Dictionary<GoldenVector, PublicKey> originals)
    {
        if (!originals.TryGetValue(vector, out var original))
        {
            if (EventDecoder.TryDecode(vector.Payload, out var decoded) != DecodeStatus.Ok || decoded is null)
            {
                throw new InvalidOperationException($"A golden {vector.Event} does not decode.");
            }
            originals[vector] = original = decoded.MintAccount;
        }
        byte[] payload = (byte[])vector.Payload.Clone();
        var span = payload.AsSpan();
        int replaced = 0;
        for (int at = span.IndexOf(original.AsSpan()); at >= 0; at = span.IndexOf(original.AsSpan()))
        {
            mint.CopyTo(span[at..]);
            replaced++;
        }
        if (replaced == 0)
        {
            throw new InvalidOperationException($"A golden {vector.Event} does not contain its own mint.");
        }
        return Convert.ToBase64String(payload);
    }

    /// <summary>A benchmark over payloads that silently kept the golden mint would measure one mint: check a cycle.</summary>
    private void CheckMints()
    {
        var decoder = new TransactionDecoder(PublicKey.Parse(AnchorLogs.ProgramId));
        for (int t = 0; t < 10; t++)
        {
            var result = decoder.Decode(Lines[t]);
            if (result.Events.Count == 0 || result.RejectedPayloads.Count != 0
                || result.Events.Any(e => e.Event.MintAccount != Mints[MintOf[t]]))
            {
                throw new InvalidOperationException($"Transaction {t} does not decode to events of its mint.");
            }
        }
    }
}
