using SpinPet.Core.Chain;
using SpinPet.Core.Events;

namespace SpinPet.ChainSimulator.Borsh;

/// <summary>
/// Encodes a SpinPet event as the program writes it after <c>Program data: </c>: discriminator ‖ Borsh body,
/// fields in the IDL's order (shared/spec/events.md).
/// </summary>
internal static class EventEncoder
{
    public static byte[] Encode(SpinPetEvent spinPetEvent)
    {
        var writer = new BorshWriter();
        writer.WriteBytes(Discriminators.For(spinPetEvent.Kind));
        switch (spinPetEvent)
        {
            case TokenCreatedEvent created:
                WriteBody(writer, created);
                break;
            case BuySellEvent trade:
                WriteBody(writer, trade);
                break;
            case LongShortEvent open:
                WriteBody(writer, open);
                break;
            case ForceLiquidateEvent liquidation:
                writer.WritePublicKey(liquidation.Payer);
                writer.WritePublicKey(liquidation.MintAccount);
                writer.WritePublicKey(liquidation.OrderPda);
                break;
            case FullCloseEvent close:
                WriteCloseFields(writer, close.Payer, close.UserSolAccount, close.MintAccount, close.IsCloseLong,
                    close.FinalTokenAmount, close.FinalSolAmount, close.UserCloseProfit, close.Price, close.OrderPda);
                break;
            case PartialCloseEvent partial:
                WriteCloseFields(writer, partial.Payer, partial.UserSolAccount, partial.MintAccount, partial.IsCloseLong,
                    partial.FinalTokenAmount, partial.FinalSolAmount, partial.UserCloseProfit, partial.Price, partial.OrderPda);
                WriteOrder(writer, partial.Order);
                break;
            case MilestoneDiscountEvent milestone:
                writer.WritePublicKey(milestone.Payer);
                writer.WritePublicKey(milestone.MintAccount);
                writer.WritePublicKey(milestone.CurveAccount);
                writer.WriteU16(milestone.SwapFee);
                writer.WriteU16(milestone.BorrowFee);
                writer.WriteU8(milestone.FeeDiscountFlag);
                break;
            default:
                throw new ArgumentException($"No layout for {spinPetEvent.GetType().Name}.", nameof(spinPetEvent));
        }
        return writer.ToArray();
    }

    private static void WriteBody(BorshWriter writer, TokenCreatedEvent created)
    {
        writer.WritePublicKey(created.Payer);
        writer.WritePublicKey(created.MintAccount);
        writer.WritePublicKey(created.CurveAccount);
        writer.WritePublicKey(created.PoolTokenAccount);
        writer.WritePublicKey(created.PoolSolAccount);
        writer.WritePublicKey(created.FeeRecipient);
        writer.WritePublicKey(created.BaseFeeRecipient);
        writer.WritePublicKey(created.ParamsAccount);
        writer.WriteU16(created.SwapFee);
        writer.WriteU16(created.BorrowFee);
        writer.WriteU8(created.FeeDiscountFlag);
        writer.WriteString(created.Name);
        writer.WriteString(created.Symbol);
        writer.WriteString(created.Uri);
    }

    private static void WriteBody(BorshWriter writer, BuySellEvent trade)
    {
        writer.WritePublicKey(trade.Payer);
        writer.WritePublicKey(trade.MintAccount);
        writer.WriteBool(trade.IsBuy);
        writer.WriteU64(trade.TokenAmount);
        writer.WriteU64(trade.SolAmount);
        writer.WriteU128(trade.Price);
    }

    private static void WriteBody(BorshWriter writer, LongShortEvent open)
    {
        writer.WritePublicKey(open.Payer);
        writer.WritePublicKey(open.MintAccount);
        writer.WritePublicKey(open.OrderPda);
        writer.WriteU128(open.Price);
        WriteOrder(writer, open.Order);
    }

    private static void WriteCloseFields(
        BorshWriter writer,
        PublicKey payer,
        PublicKey userSolAccount,
        PublicKey mintAccount,
        bool isCloseLong,
        ulong finalTokenAmount,
        ulong finalSolAmount,
        ulong userCloseProfit,
        UInt128 latestPrice,
        PublicKey orderPda)
    {
        writer.WritePublicKey(payer);
        writer.WritePublicKey(userSolAccount);
        writer.WritePublicKey(mintAccount);
        writer.WriteBool(isCloseLong);
        writer.WriteU64(finalTokenAmount);
        writer.WriteU64(finalSolAmount);
        writer.WriteU64(userCloseProfit);
        writer.WriteU128(latestPrice);
        writer.WritePublicKey(orderPda);
    }

    // LongShortEvent and PartialCloseEvent share the order's fields from order_type on.
    private static void WriteOrder(BorshWriter writer, OrderState order)
    {
        writer.WriteU8(order.OrderType);
        writer.WritePublicKey(order.Mint);
        writer.WritePublicKey(order.User);
        writer.WriteU128(order.LockLpStartPrice);
        writer.WriteU128(order.LockLpEndPrice);
        writer.WriteU64(order.LockLpSolAmount);
        writer.WriteU64(order.LockLpTokenAmount);
        writer.WriteU32(order.StartTime);
        writer.WriteU32(order.EndTime);
        writer.WriteU64(order.MarginSolAmount);
        writer.WriteU64(order.BorrowAmount);
        writer.WriteU64(order.PositionAssetAmount);
        writer.WriteU16(order.BorrowFee);
    }
}
