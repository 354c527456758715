using SpinPet.Core.Chain;
using SpinPet.Core.Events;

namespace SpinPet.ChainSimulator.Generation;

/// <summary>
/// Trades on a mint's curve and the events they emit: spot buys and sells, margin opens and closes, forced
/// liquidations of orders the price move crossed, and milestone fee discounts.
/// </summary>
internal sealed class TradeDesk(Entropy entropy)
{
    private const ulong Lamports = 1_000_000_000;

    // Sells stop well above an empty pool: the curve keeps at least 8 SOL of virtual reserve.
    private const ulong SolFloor = 8 * Lamports;

    // A margin order's loan runs 7 days.
    private const uint BorrowDurationSeconds = 7 * 24 * 3600;

    // The instruction takes at most ten orders (order0..order9), so one transaction liquidates at most ten.
    private const int MaxLiquidationsPerTransaction = 10;

    // Open orders per mint beyond which the desk prefers closing over opening.
    private const int OrderSoftCap = 40;

    private static readonly ulong[] MilestoneSolReserves = [45 * Lamports, 60 * Lamports, 85 * Lamports];
    private static readonly (ushort Swap, ushort Borrow)[] MilestoneFees = [(80, 250), (60, 200), (40, 150)];
    private static readonly ulong[] Leverages = [2, 3, 5, 10];
    private static readonly double[] CloseFractions = [0.25, 0.5, 0.75];

    public TransactionPlan Trade(MintState mint, PublicKey trader, long blockTime)
    {
        // Buying pressure fades as the pool fills, so each price walk wanders but keeps returning.
        double fill = (double)mint.Curve.SolReserve / BondingCurve.InitialVirtualSol;
        double buyWeight = 38 * Math.Clamp(1.4 - (0.4 * fill), 0.5, 1.6);
        double closeWeight = mint.Orders.Count == 0 ? 0 : mint.Orders.Count > OrderSoftCap ? 60 : 14;
        double openWeight = mint.Orders.Count > OrderSoftCap ? 0 : 1;
        double roll = entropy.NextDouble() * (buyWeight + 28 + (16 * openWeight) + closeWeight);

        if ((roll -= buyWeight) < 0)
        {
            return Plan("buy", trader, mint, Buy(mint, trader, entropy.LogUniform(Lamports / 200, 3 * Lamports)));
        }
        if ((roll -= 28) < 0)
        {
            return Plan("sell", trader, mint, Sell(mint, trader));
        }
        if ((roll -= 9 * openWeight) < 0)
        {
            return OpenLong(mint, trader, blockTime);
        }
        if ((roll -= 7 * openWeight) < 0)
        {
            return OpenShort(mint, trader, blockTime);
        }
        return Close(mint, entropy.Pick(mint.Orders));
    }

    /// <summary>The launcher's buy right after creating the token (a second instruction of the create tx).</summary>
    public List<SpinPetEvent> DevBuy(MintState mint, PublicKey creator) =>
        Buy(mint, creator, entropy.LogUniform(Lamports / 10, 2 * Lamports));

    /// <summary>A transaction that reverts; the curve does not move. Buys and sells may log their event first.</summary>
    public TransactionPlan Failed(MintState mint, PublicKey trader)
    {
        var curve = mint.Curve;
        switch (entropy.Next(4))
        {
            case 0:
            {
                ulong solIn = entropy.LogUniform(Lamports / 200, 3 * Lamports);
                SpinPetEvent wouldBe = SpotEvent(trader, mint, true, curve.TokensOutForSol(solIn), solIn, curve.Price);
                return Failing("buy", trader, mint, [wouldBe], ProgramError.ExceedsMaxSolAmount);
            }
            case 1 when curve.SolReserve > SolFloor + Lamports:
            {
                ulong tokensIn = curve.TokensInForSol(Lamports / 20);
                SpinPetEvent wouldBe = SpotEvent(trader, mint, false, tokensIn, curve.SolOutForTokens(tokensIn), curve.Price);
                return Failing("sell", trader, mint, [wouldBe], ProgramError.InsufficientSolOutput);
            }
            case 2:
                return Failing(entropy.Chance(0.5) ? "long" : "short", trader, mint, [], ProgramError.LiquidityLocked);
            default:
                return mint.Orders.Count > 0
                    ? Failing("close_long", trader, mint, [], ProgramError.InsufficientRepayment)
                    : Failing("long", trader, mint, [], ProgramError.InsufficientMargin);
        }
    }

    private TransactionPlan Failing(string instruction, PublicKey trader, MintState mint, List<SpinPetEvent> events, ProgramError error)
    {
        int logged = events.Count > 0 && entropy.Chance(0.5) ? events.Count : 0;
        return new TransactionPlan(
            trader, [new InstructionPlan(instruction, events)], MarketGenerator.Accounts(mint), new PlannedFailure(error, logged));
    }

    private List<SpinPetEvent> Buy(MintState mint, PublicKey payer, ulong solIn)
    {
        ulong tokensOut = mint.Curve.TokensOutForSol(solIn);
        mint.Curve.ApplyBuy(solIn, tokensOut);
        var events = new List<SpinPetEvent> { SpotEvent(payer, mint, true, tokensOut, solIn, mint.Curve.Price) };
        AfterPriceRise(mint, payer, events);
        return events;
    }

    private List<SpinPetEvent> Sell(MintState mint, PublicKey payer)
    {
        ulong room = (mint.Curve.SolReserve - Math.Min(mint.Curve.SolReserve, SolFloor)) / 4;
        if (room < Lamports / 100)
        {
            return Buy(mint, payer, entropy.LogUniform(Lamports / 200, Lamports));
        }
        ulong target = entropy.LogUniform(Lamports / 200, Math.Min(5 * Lamports / 2, room));
        ulong tokensIn = mint.Curve.TokensInForSol(target);
        ulong solOut = mint.Curve.SolOutForTokens(tokensIn);
        mint.Curve.ApplySell(tokensIn, solOut);
        var events = new List<SpinPetEvent> { SpotEvent(payer, mint, false, tokensIn, solOut, mint.Curve.Price) };
        AfterPriceFall(mint, payer, events);
        return events;
    }

    private TransactionPlan OpenLong(MintState mint, PublicKey trader, long blockTime)
    {
        ulong margin = entropy.LogUniform(Lamports / 20, 2 * Lamports);
        ulong size = margin * entropy.Pick(Leverages);
        UInt128 before = mint.Curve.Price;
        ulong tokens = mint.Curve.TokensOutForSol(size);
        mint.Curve.ApplyBuy(size, tokens);
        var state = new OrderState(
            OrderState.Long, mint.Mint, trader, before, mint.Curve.Price, size, tokens, (uint)blockTime,
            (uint)blockTime + BorrowDurationSeconds, margin, size - margin, tokens, mint.BorrowFee);
        return OpenOrderPlan("long", mint, trader, state, AfterPriceRise);
    }

    private TransactionPlan OpenShort(MintState mint, PublicKey trader, long blockTime)
    {
        ulong margin = entropy.LogUniform(Lamports / 20, 2 * Lamports);
        ulong room = (mint.Curve.SolReserve - Math.Min(mint.Curve.SolReserve, SolFloor)) / 4;
        ulong proceeds = Math.Min(margin * entropy.Pick(Leverages), room);
        if (proceeds < Lamports / 100)
        {
            return OpenLong(mint, trader, blockTime);
        }
        UInt128 before = mint.Curve.Price;
        ulong borrowed = mint.Curve.TokensInForSol(proceeds);
        ulong solOut = mint.Curve.SolOutForTokens(borrowed);
        mint.Curve.ApplySell(borrowed, solOut);
        var state = new OrderState(
            OrderState.Short, mint.Mint, trader, before, mint.Curve.Price, solOut, borrowed, (uint)blockTime,
            (uint)blockTime + BorrowDurationSeconds, margin, borrowed, solOut, mint.BorrowFee);
        return OpenOrderPlan("short", mint, trader, state, AfterPriceFall);
    }

    private TransactionPlan OpenOrderPlan(
        string instruction, MintState mint, PublicKey trader, OrderState state, Action<MintState, PublicKey, List<SpinPetEvent>> afterMove)
    {
        var order = new OpenOrder(entropy.NewKey(), state);
        var events = new List<SpinPetEvent>
        {
            new LongShortEvent { Payer = trader, MintAccount = mint.Mint, OrderPda = order.Pda, Price = mint.Curve.Price, Order = state },
        };
        afterMove(mint, trader, events);
        mint.Orders.Add(order);
        return new TransactionPlan(trader, [new InstructionPlan(instruction, events)], MarketGenerator.Accounts(mint, order.Pda), Failure: null);
    }

    private TransactionPlan Close(MintState mint, OpenOrder order)
    {
        var state = order.State;
        PublicKey user = state.User;
        bool partial = entropy.Chance(0.35);
        double fraction = partial ? entropy.Pick(CloseFractions) : 1.0;
        var curve = mint.Curve;
        ulong tokens;
        ulong sol;
        ulong profit;
        if (order.IsLong)
        {
            tokens = partial ? Part(state.PositionAssetAmount, fraction) : state.PositionAssetAmount;
            sol = curve.SolOutForTokens(tokens);
            curve.ApplySell(tokens, sol);
            ulong owed = Part(state.BorrowAmount, fraction) + Part(state.MarginSolAmount, fraction);
            profit = sol > owed ? sol - owed : 0;
        }
        else
        {
            ulong owedTokens = partial ? Part(state.BorrowAmount, fraction) : state.BorrowAmount;
            // A short so large that buying it back would empty the pool is settled by liquidation instead.
            if (owedTokens >= curve.TokenReserve / 2)
            {
                mint.Orders.Remove(order);
                var liquidation = new ForceLiquidateEvent { Payer = user, MintAccount = mint.Mint, OrderPda = order.Pda };
                return new TransactionPlan(user, [new InstructionPlan("close_short", [liquidation])], MarketGenerator.Accounts(mint, order.Pda), Failure: null);
            }
            tokens = owedTokens;
            sol = curve.SolInForTokens(tokens);
            curve.ApplyBuy(sol, tokens);
            ulong proceeds = Part(state.PositionAssetAmount, fraction);
            profit = proceeds > sol ? proceeds - sol : 0;
        }

        SpinPetEvent closeEvent;
        if (partial)
        {
            var after = state with
            {
                LockLpSolAmount = state.LockLpSolAmount - Part(state.LockLpSolAmount, fraction),
                LockLpTokenAmount = state.LockLpTokenAmount - Part(state.LockLpTokenAmount, fraction),
                MarginSolAmount = state.MarginSolAmount - Part(state.MarginSolAmount, fraction),
                BorrowAmount = state.BorrowAmount - Part(state.BorrowAmount, fraction),
                PositionAssetAmount = state.PositionAssetAmount - Part(state.PositionAssetAmount, fraction),
            };
            order.State = after;
            closeEvent = new PartialCloseEvent
            {
                Payer = user, UserSolAccount = user, MintAccount = mint.Mint, IsCloseLong = order.IsLong, FinalTokenAmount = tokens,
                FinalSolAmount = sol, UserCloseProfit = profit, Price = curve.Price, OrderPda = order.Pda, Order = after,
            };
        }
        else
        {
            mint.Orders.Remove(order);
            closeEvent = new FullCloseEvent
            {
                Payer = user, UserSolAccount = user, MintAccount = mint.Mint, IsCloseLong = order.IsLong, FinalTokenAmount = tokens,
                FinalSolAmount = sol, UserCloseProfit = profit, Price = curve.Price, OrderPda = order.Pda,
            };
        }
        var events = new List<SpinPetEvent> { closeEvent };
        if (order.IsLong)
        {
            AfterPriceFall(mint, user, events);
        }
        else
        {
            AfterPriceRise(mint, user, events);
        }
        string instruction = order.IsLong ? "close_long" : "close_short";
        return new TransactionPlan(user, [new InstructionPlan(instruction, events)], MarketGenerator.Accounts(mint, order.Pda), Failure: null);
    }

    // A rising price liquidates shorts whose buy-back now costs more than margin plus proceeds (95 % of it).
    private void AfterPriceRise(MintState mint, PublicKey payer, List<SpinPetEvent> events)
    {
        Liquidate(mint, payer, events, order =>
        {
            var state = order.State;
            if (order.IsLong)
            {
                return false;
            }
            if (state.BorrowAmount >= mint.Curve.TokenReserve / 2)
            {
                return true;
            }
            UInt128 cost = mint.Curve.SolInForTokens(state.BorrowAmount);
            return cost * 100 >= ((UInt128)state.MarginSolAmount + state.PositionAssetAmount) * 95;
        });
        ReachMilestones(mint, payer, events);
    }

    // A falling price liquidates longs whose tokens no longer cover the loan with a 5 % buffer.
    private static void AfterPriceFall(MintState mint, PublicKey payer, List<SpinPetEvent> events) =>
        Liquidate(mint, payer, events, order =>
            order.IsLong && (UInt128)mint.Curve.SolOutForTokens(order.State.PositionAssetAmount) * 100 <= (UInt128)order.State.BorrowAmount * 105);

    private static void Liquidate(MintState mint, PublicKey payer, List<SpinPetEvent> events, Func<OpenOrder, bool> underwater)
    {
        int liquidated = 0;
        for (int i = 0; i < mint.Orders.Count && liquidated < MaxLiquidationsPerTransaction; i++)
        {
            var order = mint.Orders[i];
            if (!underwater(order))
            {
                continue;
            }
            events.Add(new ForceLiquidateEvent { Payer = payer, MintAccount = mint.Mint, OrderPda = order.Pda });
            mint.Orders.RemoveAt(i--);
            liquidated++;
        }
    }

    private static void ReachMilestones(MintState mint, PublicKey payer, List<SpinPetEvent> events)
    {
        while (mint.DiscountLevel < MilestoneSolReserves.Length && mint.Curve.SolReserve >= MilestoneSolReserves[mint.DiscountLevel])
        {
            (mint.SwapFee, mint.BorrowFee) = MilestoneFees[mint.DiscountLevel];
            mint.DiscountLevel++;
            events.Add(new MilestoneDiscountEvent
            {
                Payer = payer, MintAccount = mint.Mint, CurveAccount = mint.CurveAccount, SwapFee = mint.SwapFee,
                BorrowFee = mint.BorrowFee, FeeDiscountFlag = mint.DiscountLevel,
            });
        }
    }

    private static BuySellEvent SpotEvent(PublicKey payer, MintState mint, bool isBuy, ulong tokens, ulong sol, UInt128 price) =>
        new() { Payer = payer, MintAccount = mint.Mint, IsBuy = isBuy, TokenAmount = tokens, SolAmount = sol, Price = price };

    private static TransactionPlan Plan(string instruction, PublicKey trader, MintState mint, List<SpinPetEvent> events) =>
        new(trader, [new InstructionPlan(instruction, events)], MarketGenerator.Accounts(mint), Failure: null);

    private static ulong Part(ulong amount, double fraction) => fraction >= 1.0 ? amount : (ulong)(amount * fraction);
}
