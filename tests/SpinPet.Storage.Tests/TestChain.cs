using System.Buffers.Binary;
using SpinPet.Core.Chain;
using SpinPet.Core.Events;
using SpinPet.Core.Ingest;

namespace SpinPet.Storage.Tests;

/// <summary>Deterministic transactions, events and payloads for the store tests.</summary>
internal static class TestChain
{
    public const long BaseBlockTime = 1_700_000_000;

    private static readonly byte[] BuySellDiscriminator = Convert.FromHexString("62d0783c5d2013b4");
    private static readonly byte[] ForceLiquidateDiscriminator = Convert.FromHexString("eac4b769281ace30");

    /// <summary>A signature unique to <paramref name="n"/>: n in the first bytes, a seeded pattern after.</summary>
    public static TxSignature Signature(int n)
    {
        var bytes = new byte[TxSignature.Length];
        new Random(n).NextBytes(bytes);
        BinaryPrimitives.WriteInt32BigEndian(bytes, n);
        return new TxSignature(bytes);
    }

    public static PublicKey Key(int n)
    {
        var bytes = new byte[PublicKey.Length];
        new Random(~n).NextBytes(bytes);
        return new PublicKey(bytes);
    }

    /// <summary>A BuySellEvent payload (discriminator ‖ Borsh body) carrying an exact u128 price.</summary>
    public static DecodedEvent BuySell(ushort index, ulong tokenAmount, UInt128 price, int mint = 1)
    {
        var payload = new byte[8 + 32 + 32 + 1 + 8 + 8 + 16];
        BuySellDiscriminator.CopyTo(payload, 0);
        Key(100).CopyTo(payload.AsSpan(8));
        Key(mint).CopyTo(payload.AsSpan(40));
        payload[72] = 1;
        BinaryPrimitives.WriteUInt64LittleEndian(payload.AsSpan(73), tokenAmount);
        BinaryPrimitives.WriteUInt64LittleEndian(payload.AsSpan(81), tokenAmount * 3);
        BinaryPrimitives.WriteUInt128LittleEndian(payload.AsSpan(89), price);
        var decoded = new BuySellEvent
        {
            Payer = Key(100),
            MintAccount = Key(mint),
            IsBuy = true,
            TokenAmount = tokenAmount,
            SolAmount = tokenAmount * 3,
            Price = price,
        };
        return new DecodedEvent(index, payload, decoded);
    }

    public static DecodedEvent ForceLiquidate(ushort index, int mint = 1)
    {
        var payload = new byte[8 + 96];
        ForceLiquidateDiscriminator.CopyTo(payload, 0);
        Key(100).CopyTo(payload.AsSpan(8));
        Key(mint).CopyTo(payload.AsSpan(40));
        Key(200 + index).CopyTo(payload.AsSpan(72));
        var decoded = new ForceLiquidateEvent { Payer = Key(100), MintAccount = Key(mint), OrderPda = Key(200 + index) };
        return new DecodedEvent(index, payload, decoded);
    }

    public static RejectedPayload Rejected(ushort index, string reason, int length = 40)
    {
        var payload = new byte[length];
        new Random(index + length).NextBytes(payload);
        return new RejectedPayload(index, reason, payload);
    }

    public static IngestedTransaction Transaction(int n, ulong slot, uint txIndex, params DecodedEvent[] events) =>
        new(Signature(n), slot, txIndex, BlockTime(slot), Failed: false, events, []);

    public static IngestedTransaction WithRejected(int n, ulong slot, uint txIndex, DecodedEvent[] events, params RejectedPayload[] rejected) =>
        new(Signature(n), slot, txIndex, BlockTime(slot), Failed: false, events, rejected);

    /// <summary>A reverted transaction; it carries events to show that they are not stored.</summary>
    public static IngestedTransaction Failed(int n, ulong slot, uint txIndex) =>
        new(Signature(n), slot, txIndex, BlockTime(slot), Failed: true, [BuySell(0, 5, 5)], [Rejected(1, "ignored")]);

    public static Checkpoint CheckpointOf(IngestedTransaction transaction) =>
        new(transaction.Signature, transaction.Slot, transaction.TxIndex);

    /// <summary>Everything a stored event holds, payload bytes included, as one comparable value.</summary>
    public static string Describe(StoredEvent e) =>
        $"{e.Signature} {e.Position} {e.BlockTime} {e.Kind} {Convert.ToHexString(e.Payload.Span)}";

    public static long BlockTime(ulong slot) => BaseBlockTime + (long)(slot % 1_000_000);
}
