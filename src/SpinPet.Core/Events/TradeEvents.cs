using SpinPet.Core.Chain;

namespace SpinPet.Core.Events;

/// <summary>A spot buy or sell on the bonding curve.</summary>
public sealed record BuySellEvent : SpinPetEvent
{
    public override EventKind Kind => EventKind.BuySell;

    public required bool IsBuy { get; init; }

    public required ulong TokenAmount { get; init; }

    public required ulong SolAmount { get; init; }

    public required UInt128 Price { get; init; }

    public override UInt128? LatestPrice => Price;
}

/// <summary>A leveraged long or short opened: the order PDA and its initial state.</summary>
public sealed record LongShortEvent : SpinPetEvent
{
    public override EventKind Kind => EventKind.LongShort;

    public required PublicKey OrderPda { get; init; }

    public required UInt128 Price { get; init; }

    public required OrderState Order { get; init; }

    public override UInt128? LatestPrice => Price;
}

/// <summary>A margin order liquidated by force.</summary>
public sealed record ForceLiquidateEvent : SpinPetEvent
{
    public override EventKind Kind => EventKind.ForceLiquidate;

    public required PublicKey OrderPda { get; init; }
}

/// <summary>A margin order closed in full.</summary>
public sealed record FullCloseEvent : SpinPetEvent
{
    public override EventKind Kind => EventKind.FullClose;

    public required PublicKey UserSolAccount { get; init; }

    public required bool IsCloseLong { get; init; }

    public required ulong FinalTokenAmount { get; init; }

    public required ulong FinalSolAmount { get; init; }

    public required ulong UserCloseProfit { get; init; }

    public required UInt128 Price { get; init; }

    public required PublicKey OrderPda { get; init; }

    public override UInt128? LatestPrice => Price;
}

/// <summary>A margin order closed in part; <see cref="Order"/> is the order's state after the close.</summary>
public sealed record PartialCloseEvent : SpinPetEvent
{
    public override EventKind Kind => EventKind.PartialClose;

    public required PublicKey UserSolAccount { get; init; }

    public required bool IsCloseLong { get; init; }

    public required ulong FinalTokenAmount { get; init; }

    public required ulong FinalSolAmount { get; init; }

    public required ulong UserCloseProfit { get; init; }

    public required UInt128 Price { get; init; }

    public required PublicKey OrderPda { get; init; }

    public required OrderState Order { get; init; }

    public override UInt128? LatestPrice => Price;
}

/// <summary>The curve's fees lowered after a milestone.</summary>
public sealed record MilestoneDiscountEvent : SpinPetEvent
{
    public override EventKind Kind => EventKind.MilestoneDiscount;

    public required PublicKey CurveAccount { get; init; }

    public required ushort SwapFee { get; init; }

    public required ushort BorrowFee { get; init; }

    public required byte FeeDiscountFlag { get; init; }
}
