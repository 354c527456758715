using System.Buffers.Binary;
using SpinPet.Core.Chain;
using SpinPet.Core.Events;

namespace SpinPet.Core.Tests.Candles;

/// <summary>Builds chain events for the candle tests: every kind, any mint, time and position.</summary>
internal static class CandleEvents
{
    /// <summary>2025-11-25T08:00:00Z: a bucket start of every well-known interval but d1.</summary>
    public const long T0 = 1_764_057_600;

    private static readonly PublicKey s_payer = Key(-1);

    public static PublicKey Key(int n)
    {
        var bytes = new byte[PublicKey.Length];
        new Random(n).NextBytes(bytes);
        return new PublicKey(bytes);
    }

    public static TxSignature Signature(ulong slot, uint txIndex)
    {
        var bytes = new byte[TxSignature.Length];
        BinaryPrimitives.WriteUInt64BigEndian(bytes, slot);
        BinaryPrimitives.WriteUInt32BigEndian(bytes.AsSpan(8), txIndex);
        return new TxSignature(bytes);
    }

    public static ChainEvent At(long blockTime, SpinPetEvent ev, ulong slot = 1, uint txIndex = 0, ushort eventIndex = 0) =>
        new(Signature(slot, txIndex), new ChainPosition(slot, txIndex, eventIndex), blockTime, ev);

    public static BuySellEvent BuySell(PublicKey mint, UInt128 price, ulong solAmount = 0, ulong tokenAmount = 0) => new()
    {
        Payer = s_payer,
        MintAccount = mint,
        IsBuy = true,
        TokenAmount = tokenAmount,
        SolAmount = solAmount,
        Price = price,
    };

    public static LongShortEvent LongShort(PublicKey mint, UInt128 price) => new()
    {
        Payer = s_payer,
        MintAccount = mint,
        OrderPda = Key(-2),
        Price = price,
        Order = Order(mint),
    };

    public static FullCloseEvent FullClose(PublicKey mint, UInt128 price) => new()
    {
        Payer = s_payer,
        MintAccount = mint,
        UserSolAccount = Key(-3),
        IsCloseLong = true,
        FinalTokenAmount = 5_000_000,
        FinalSolAmount = 7_000_000_000,
        UserCloseProfit = 1,
        Price = price,
        OrderPda = Key(-2),
    };

    public static PartialCloseEvent PartialClose(PublicKey mint, UInt128 price) => new()
    {
        Payer = s_payer,
        MintAccount = mint,
        UserSolAccount = Key(-3),
        IsCloseLong = false,
        FinalTokenAmount = 5_000_000,
        FinalSolAmount = 7_000_000_000,
        UserCloseProfit = 0,
        Price = price,
        OrderPda = Key(-2),
        Order = Order(mint),
    };

    public static ForceLiquidateEvent ForceLiquidate(PublicKey mint) => new()
    {
        Payer = s_payer,
        MintAccount = mint,
        OrderPda = Key(-2),
    };

    public static MilestoneDiscountEvent MilestoneDiscount(PublicKey mint) => new()
    {
        Payer = s_payer,
        MintAccount = mint,
        CurveAccount = Key(-4),
        SwapFee = 100,
        BorrowFee = 50,
        FeeDiscountFlag = 1,
    };

    public static TokenCreatedEvent TokenCreated(PublicKey mint) => new()
    {
        Payer = s_payer,
        MintAccount = mint,
        CurveAccount = Key(-4),
        PoolTokenAccount = Key(-5),
        PoolSolAccount = Key(-6),
        FeeRecipient = Key(-7),
        BaseFeeRecipient = Key(-8),
        ParamsAccount = Key(-9),
        SwapFee = 100,
        BorrowFee = 50,
        FeeDiscountFlag = 0,
        Name = "Pet",
        Symbol = "PET",
        Uri = "https://example.invalid/pet.json",
    };

    private static OrderState Order(PublicKey mint) =>
        new(OrderState.Long, mint, s_payer, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10);
}
