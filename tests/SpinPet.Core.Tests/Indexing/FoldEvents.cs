using SpinPet.Core.Chain;
using SpinPet.Core.Events;

namespace SpinPet.Core.Tests.Indexing;

/// <summary>Events of every kind for the fold tests; keys are seeded by a number.</summary>
internal static class FoldEvents
{
    public static PublicKey Key(int n)
    {
        var bytes = new byte[PublicKey.Length];
        new Random(~n).NextBytes(bytes);
        return new PublicKey(bytes);
    }

    public static TxSignature Signature(int n)
    {
        var bytes = new byte[TxSignature.Length];
        new Random(n).NextBytes(bytes);
        return new TxSignature(bytes);
    }

    public static TokenCreatedEvent Created(int mint, ushort swapFee = 100, ushort borrowFee = 300, byte flag = 0) => new()
    {
        Payer = Key(50), MintAccount = Key(mint), CurveAccount = Key(900), PoolTokenAccount = Key(901), PoolSolAccount = Key(902),
        FeeRecipient = Key(903), BaseFeeRecipient = Key(904), ParamsAccount = Key(905), SwapFee = swapFee, BorrowFee = borrowFee,
        FeeDiscountFlag = flag, Name = "N", Symbol = "S", Uri = "https://example.invalid/",
    };

    public static BuySellEvent Trade(int mint, int payer, ulong sol, UInt128 price) => new()
    {
        Payer = Key(payer), MintAccount = Key(mint), IsBuy = true, TokenAmount = sol * 10, SolAmount = sol, Price = price,
    };

    public static OrderState State(int mint, int user, byte type, UInt128 startPrice, ulong margin) =>
        new(type, Key(mint), Key(user), startPrice, startPrice * 2, margin * 3, margin * 30, 1_700_000_000, 1_700_604_800,
            margin, margin * 2, margin * 30, 250);

    public static LongShortEvent Open(int mint, int pda, OrderState state, UInt128 price) => new()
    {
        Payer = Key(60), MintAccount = Key(mint), OrderPda = Key(pda), Price = price, Order = state,
    };

    public static PartialCloseEvent Partial(int mint, int pda, OrderState after, ulong profit, UInt128 price) => new()
    {
        Payer = Key(61), UserSolAccount = after.User, MintAccount = Key(mint), IsCloseLong = after.OrderType == OrderState.Long,
        FinalTokenAmount = 1, FinalSolAmount = 2, UserCloseProfit = profit, Price = price, OrderPda = Key(pda), Order = after,
    };

    public static FullCloseEvent Full(int mint, int userSolAccount, int pda, ulong profit, UInt128 price) => new()
    {
        Payer = Key(62), UserSolAccount = Key(userSolAccount), MintAccount = Key(mint), IsCloseLong = true, FinalTokenAmount = 1,
        FinalSolAmount = 2, UserCloseProfit = profit, Price = price, OrderPda = Key(pda),
    };

    public static ForceLiquidateEvent Liquidate(int mint, int pda) => new()
    {
        Payer = Key(63), MintAccount = Key(mint), OrderPda = Key(pda),
    };

    public static MilestoneDiscountEvent Milestone(int mint, ushort swapFee, ushort borrowFee, byte flag) => new()
    {
        Payer = Key(64), MintAccount = Key(mint), CurveAccount = Key(900), SwapFee = swapFee, BorrowFee = borrowFee, FeeDiscountFlag = flag,
    };

    public static ChainPosition At(ulong slot, uint tx = 0, ushort index = 0) => new(slot, tx, index);
}
