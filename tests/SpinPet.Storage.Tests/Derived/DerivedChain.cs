using SpinPet.Core.Chain;
using SpinPet.Core.Events;
using SpinPet.Core.Ingest;

namespace SpinPet.Storage.Tests.Derived;

/// <summary>
/// Transactions of every event kind for the derived-row tests. Payloads are unique random bytes (the store keeps them
/// as given); <see cref="Decoder"/> maps each back to its event for the rebuild, standing in for the real decoder.
/// </summary>
internal sealed class DerivedChain
{
    private readonly Dictionary<string, SpinPetEvent> _byPayload = [];

    private static PublicKey Key(int n) => TestChain.Key(n);

    public SpinPetEvent? Decoder(ReadOnlyMemory<byte> payload) =>
        _byPayload.TryGetValue(Convert.ToHexString(payload.Span), out var ev) ? ev : null;

    /// <summary>A successful transaction whose events get indexes 0, 1, 2… in the order given.</summary>
    public IngestedTransaction Tx(int n, ulong slot, uint txIndex, params SpinPetEvent[] events)
    {
        var decoded = new List<DecodedEvent>();
        for (int i = 0; i < events.Length; i++)
        {
            var payload = Guid.NewGuid().ToByteArray();
            _byPayload[Convert.ToHexString(payload)] = events[i];
            decoded.Add(new DecodedEvent((ushort)i, payload, events[i]));
        }
        return new IngestedTransaction(TestChain.Signature(n), slot, txIndex, TestChain.BlockTime(slot), Failed: false, decoded, []);
    }

    public static TokenCreatedEvent Created(int mint, int payer, ushort swapFee = 100, ushort borrowFee = 300, byte flag = 0) => new()
    {
        Payer = Key(payer), MintAccount = Key(mint), CurveAccount = Key(900), PoolTokenAccount = Key(901), PoolSolAccount = Key(902),
        FeeRecipient = Key(903), BaseFeeRecipient = Key(904), ParamsAccount = Key(905), SwapFee = swapFee, BorrowFee = borrowFee,
        FeeDiscountFlag = flag, Name = "Name" + mint, Symbol = "SYM" + mint, Uri = "https://example.invalid/" + mint,
    };

    public static BuySellEvent Trade(int mint, int payer, ulong sol, UInt128 price, bool buy = true) => new()
    {
        Payer = Key(payer), MintAccount = Key(mint), IsBuy = buy, TokenAmount = sol * 10, SolAmount = sol, Price = price,
    };

    public static OrderState State(int mint, int user, byte type, UInt128 startPrice, uint startTime, ulong margin) =>
        new(type, Key(mint), Key(user), startPrice, startPrice * 2, margin * 3, margin * 30, startTime, startTime + 604_800,
            margin, margin * 2, margin * 30, 250);

    public static LongShortEvent Open(int mint, int payer, int pda, OrderState state, UInt128 price) => new()
    {
        Payer = Key(payer), MintAccount = Key(mint), OrderPda = Key(pda), Price = price, Order = state,
    };

    public static PartialCloseEvent Partial(int mint, int payer, int pda, OrderState after, ulong profit, UInt128 price) => new()
    {
        Payer = Key(payer), UserSolAccount = after.User, MintAccount = Key(mint), IsCloseLong = after.OrderType == OrderState.Long,
        FinalTokenAmount = 1, FinalSolAmount = 2, UserCloseProfit = profit, Price = price, OrderPda = Key(pda), Order = after,
    };

    public static FullCloseEvent Full(int mint, int payer, int userSolAccount, int pda, ulong profit, UInt128 price) => new()
    {
        Payer = Key(payer), UserSolAccount = Key(userSolAccount), MintAccount = Key(mint), IsCloseLong = true, FinalTokenAmount = 1,
        FinalSolAmount = 2, UserCloseProfit = profit, Price = price, OrderPda = Key(pda),
    };

    public static ForceLiquidateEvent Liquidate(int mint, int payer, int pda) => new()
    {
        Payer = Key(payer), MintAccount = Key(mint), OrderPda = Key(pda),
    };

    public static MilestoneDiscountEvent Milestone(int mint, int payer, ushort swapFee, ushort borrowFee, byte flag) => new()
    {
        Payer = Key(payer), MintAccount = Key(mint), CurveAccount = Key(900), SwapFee = swapFee, BorrowFee = borrowFee, FeeDiscountFlag = flag,
    };
}
