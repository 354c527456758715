using SpinPet.Core.Chain;
using SpinPet.Core.Events;

namespace SpinPet.Solana.Decoding;

/// <summary>
/// Decodes one <c>Program data:</c> payload (8-byte discriminator, then a Borsh body) into a SpinPet event,
/// following the layouts of events.md field by field. Untrusted input never throws; the only allocations are the
/// event object and its strings.
/// </summary>
public static class EventDecoder
{
    /// <param name="payload">The base64-decoded bytes of the log line: discriminator and body.</param>
    /// <param name="ev">The event when the status is Ok or OkWithTrailingBytes; otherwise null.</param>
    public static DecodeStatus TryDecode(ReadOnlySpan<byte> payload, out SpinPetEvent? ev) =>
        Decode(payload, out ev, out _);

    /// <param name="failedAt">On a body error, the body offset of the value that failed (for reasons).</param>
    internal static DecodeStatus Decode(ReadOnlySpan<byte> payload, out SpinPetEvent? ev, out int failedAt)
    {
        ev = null;
        failedAt = 0;
        if (!EventDiscriminators.TryRead(payload, out ulong discriminator))
        {
            return DecodeStatus.TooShort;
        }
        if (!EventDiscriminators.TryGetKind(discriminator, out var kind))
        {
            return DecodeStatus.UnknownDiscriminator;
        }
        var reader = new BorshReader(payload[EventDiscriminators.Length..]);
        ev = kind switch
        {
            EventKind.BuySell => ReadBuySell(ref reader),
            EventKind.LongShort => ReadLongShort(ref reader),
            EventKind.FullClose => ReadFullClose(ref reader),
            EventKind.PartialClose => ReadPartialClose(ref reader),
            EventKind.ForceLiquidate => ReadForceLiquidate(ref reader),
            EventKind.TokenCreated => ReadTokenCreated(ref reader),
            EventKind.MilestoneDiscount => ReadMilestoneDiscount(ref reader),
            _ => null,
        };
        if (ev is null)
        {
            failedAt = reader.Position;
            return reader.Error;
        }
        return reader.Remaining == 0 ? DecodeStatus.Ok : DecodeStatus.OkWithTrailingBytes;
    }

    private static TokenCreatedEvent? ReadTokenCreated(ref BorshReader r)
    {
        if (!r.TryReadPublicKey(out var payer)
            || !r.TryReadPublicKey(out var mintAccount)
            || !r.TryReadPublicKey(out var curveAccount)
            || !r.TryReadPublicKey(out var poolTokenAccount)
            || !r.TryReadPublicKey(out var poolSolAccount)
            || !r.TryReadPublicKey(out var feeRecipient)
            || !r.TryReadPublicKey(out var baseFeeRecipient)
            || !r.TryReadPublicKey(out var paramsAccount)
            || !r.TryReadU16(out ushort swapFee)
            || !r.TryReadU16(out ushort borrowFee)
            || !r.TryReadU8(out byte feeDiscountFlag)
            || !r.TryReadString(out string name)
            || !r.TryReadString(out string symbol)
            || !r.TryReadString(out string uri))
        {
            return null;
        }
        return new TokenCreatedEvent
        {
            Payer = payer,
            MintAccount = mintAccount,
            CurveAccount = curveAccount,
            PoolTokenAccount = poolTokenAccount,
            PoolSolAccount = poolSolAccount,
            FeeRecipient = feeRecipient,
            BaseFeeRecipient = baseFeeRecipient,
            ParamsAccount = paramsAccount,
            SwapFee = swapFee,
            BorrowFee = borrowFee,
            FeeDiscountFlag = feeDiscountFlag,
            Name = name,
            Symbol = symbol,
            Uri = uri,
        };
    }

    private static BuySellEvent? ReadBuySell(ref BorshReader r)
    {
        if (!r.TryReadPublicKey(out var payer)
            || !r.TryReadPublicKey(out var mintAccount)
            || !r.TryReadBool(out bool isBuy)
            || !r.TryReadU64(out ulong tokenAmount)
            || !r.TryReadU64(out ulong solAmount)
            || !r.TryReadU128(out UInt128 latestPrice))
        {
            return null;
        }
        return new BuySellEvent
        {
            Payer = payer,
            MintAccount = mintAccount,
            IsBuy = isBuy,
            TokenAmount = tokenAmount,
            SolAmount = solAmount,
            Price = latestPrice,
        };
    }

    private static LongShortEvent? ReadLongShort(ref BorshReader r)
    {
        if (!r.TryReadPublicKey(out var payer)
            || !r.TryReadPublicKey(out var mintAccount)
            || !r.TryReadPublicKey(out var orderPda)
            || !r.TryReadU128(out UInt128 latestPrice)
            || !TryReadOrderState(ref r, out var order))
        {
            return null;
        }
        return new LongShortEvent
        {
            Payer = payer,
            MintAccount = mintAccount,
            OrderPda = orderPda,
            Price = latestPrice,
            Order = order,
        };
    }

    private static ForceLiquidateEvent? ReadForceLiquidate(ref BorshReader r)
    {
        if (!r.TryReadPublicKey(out var payer)
            || !r.TryReadPublicKey(out var mintAccount)
            || !r.TryReadPublicKey(out var orderPda))
        {
            return null;
        }
        return new ForceLiquidateEvent { Payer = payer, MintAccount = mintAccount, OrderPda = orderPda };
    }

    private static FullCloseEvent? ReadFullClose(ref BorshReader r)
    {
        if (!TryReadCloseHead(ref r, out var head))
        {
            return null;
        }
        return new FullCloseEvent
        {
            Payer = head.Payer,
            UserSolAccount = head.UserSolAccount,
            MintAccount = head.MintAccount,
            IsCloseLong = head.IsCloseLong,
            FinalTokenAmount = head.FinalTokenAmount,
            FinalSolAmount = head.FinalSolAmount,
            UserCloseProfit = head.UserCloseProfit,
            Price = head.LatestPrice,
            OrderPda = head.OrderPda,
        };
    }

    private static PartialCloseEvent? ReadPartialClose(ref BorshReader r)
    {
        if (!TryReadCloseHead(ref r, out var head) || !TryReadOrderState(ref r, out var order))
        {
            return null;
        }
        return new PartialCloseEvent
        {
            Payer = head.Payer,
            UserSolAccount = head.UserSolAccount,
            MintAccount = head.MintAccount,
            IsCloseLong = head.IsCloseLong,
            FinalTokenAmount = head.FinalTokenAmount,
            FinalSolAmount = head.FinalSolAmount,
            UserCloseProfit = head.UserCloseProfit,
            Price = head.LatestPrice,
            OrderPda = head.OrderPda,
            Order = order,
        };
    }

    private static MilestoneDiscountEvent? ReadMilestoneDiscount(ref BorshReader r)
    {
        if (!r.TryReadPublicKey(out var payer)
            || !r.TryReadPublicKey(out var mintAccount)
            || !r.TryReadPublicKey(out var curveAccount)
            || !r.TryReadU16(out ushort swapFee)
            || !r.TryReadU16(out ushort borrowFee)
            || !r.TryReadU8(out byte feeDiscountFlag))
        {
            return null;
        }
        return new MilestoneDiscountEvent
        {
            Payer = payer,
            MintAccount = mintAccount,
            CurveAccount = curveAccount,
            SwapFee = swapFee,
            BorrowFee = borrowFee,
            FeeDiscountFlag = feeDiscountFlag,
        };
    }

    // FullCloseEvent's nine fields, which PartialCloseEvent repeats before its order-state tail.
    private static bool TryReadCloseHead(ref BorshReader r, out CloseHead head)
    {
        head = default;
        if (!r.TryReadPublicKey(out var payer)
            || !r.TryReadPublicKey(out var userSolAccount)
            || !r.TryReadPublicKey(out var mintAccount)
            || !r.TryReadBool(out bool isCloseLong)
            || !r.TryReadU64(out ulong finalTokenAmount)
            || !r.TryReadU64(out ulong finalSolAmount)
            || !r.TryReadU64(out ulong userCloseProfit)
            || !r.TryReadU128(out UInt128 latestPrice)
            || !r.TryReadPublicKey(out var orderPda))
        {
            return false;
        }
        head = new CloseHead(
            payer, userSolAccount, mintAccount, isCloseLong, finalTokenAmount, finalSolAmount, userCloseProfit,
            latestPrice, orderPda);
        return true;
    }

    // The order-state tail shared by LongShortEvent and PartialCloseEvent. order_type stays the raw byte: the
    // contract names 1 and 2 but does not make other values invalid, so rejecting them would lose events.
    private static bool TryReadOrderState(ref BorshReader r, out OrderState state)
    {
        state = default;
        if (!r.TryReadU8(out byte orderType)
            || !r.TryReadPublicKey(out var mint)
            || !r.TryReadPublicKey(out var user)
            || !r.TryReadU128(out UInt128 lockLpStartPrice)
            || !r.TryReadU128(out UInt128 lockLpEndPrice)
            || !r.TryReadU64(out ulong lockLpSolAmount)
            || !r.TryReadU64(out ulong lockLpTokenAmount)
            || !r.TryReadU32(out uint startTime)
            || !r.TryReadU32(out uint endTime)
            || !r.TryReadU64(out ulong marginSolAmount)
            || !r.TryReadU64(out ulong borrowAmount)
            || !r.TryReadU64(out ulong positionAssetAmount)
            || !r.TryReadU16(out ushort borrowFee))
        {
            return false;
        }
        state = new OrderState(
            orderType, mint, user, lockLpStartPrice, lockLpEndPrice, lockLpSolAmount, lockLpTokenAmount, startTime,
            endTime, marginSolAmount, borrowAmount, positionAssetAmount, borrowFee);
        return true;
    }

    private readonly record struct CloseHead(
        PublicKey Payer,
        PublicKey UserSolAccount,
        PublicKey MintAccount,
        bool IsCloseLong,
        ulong FinalTokenAmount,
        ulong FinalSolAmount,
        ulong UserCloseProfit,
        UInt128 LatestPrice,
        PublicKey OrderPda);
}
