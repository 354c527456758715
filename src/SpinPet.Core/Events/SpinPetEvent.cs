using SpinPet.Core.Chain;

namespace SpinPet.Core.Events;

/// <summary>The seven Anchor events of the SpinPet program (layouts: shared/spec/events.md).</summary>
public enum EventKind : byte
{
    TokenCreated = 1,
    BuySell = 2,
    LongShort = 3,
    ForceLiquidate = 4,
    FullClose = 5,
    PartialClose = 6,
    MilestoneDiscount = 7,
}

/// <summary>One decoded SpinPet event. Every event names the payer and the token (mint) it concerns.</summary>
public abstract record SpinPetEvent
{
    public abstract EventKind Kind { get; }

    public required PublicKey Payer { get; init; }

    public required PublicKey MintAccount { get; init; }

    /// <summary>The curve price after the event (SOL per token × 10^exp), for the four trade events; else null.</summary>
    public virtual UInt128? LatestPrice => null;
}

/// <summary>A margin order's state, as LongShortEvent opens it and PartialCloseEvent leaves it.</summary>
public readonly record struct OrderState(
    byte OrderType,
    PublicKey Mint,
    PublicKey User,
    UInt128 LockLpStartPrice,
    UInt128 LockLpEndPrice,
    ulong LockLpSolAmount,
    ulong LockLpTokenAmount,
    uint StartTime,
    uint EndTime,
    ulong MarginSolAmount,
    ulong BorrowAmount,
    ulong PositionAssetAmount,
    ushort BorrowFee)
{
    public const byte Long = 1;
    public const byte Short = 2;
}
