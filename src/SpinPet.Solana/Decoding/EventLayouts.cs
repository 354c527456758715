using SpinPet.Core.Events;

namespace SpinPet.Solana.Decoding;

/// <summary>Body sizes of the events.md layouts (after the 8-byte discriminator), for rejection reasons.</summary>
internal static class EventLayouts
{
    private const int Key = 32;
    private const int U128 = 16;

    // order_type u8, mint, user, two u128 prices, two u64 LP amounts, two u32 times, three u64 amounts, u16 fee.
    public const int OrderStateSize = 1 + Key + Key + U128 + U128 + 8 + 8 + 4 + 4 + 8 + 8 + 8 + 2;

    // Eight pubkeys, two u16 fees, a u8 flag and three empty strings (their u32 lengths).
    public const int TokenCreatedMinSize = (8 * Key) + 2 + 2 + 1 + (3 * 4);

    public const int BuySellSize = Key + Key + 1 + 8 + 8 + U128;

    public const int LongShortSize = (3 * Key) + U128 + OrderStateSize;

    public const int ForceLiquidateSize = 3 * Key;

    public const int FullCloseSize = (3 * Key) + 1 + 8 + 8 + 8 + U128 + Key;

    public const int PartialCloseSize = FullCloseSize + OrderStateSize;

    public const int MilestoneDiscountSize = (3 * Key) + 2 + 2 + 1;

    /// <summary>The fixed body size, or for TokenCreatedEvent the size with three empty strings.</summary>
    public static int MinBodySize(EventKind kind) => kind switch
    {
        EventKind.TokenCreated => TokenCreatedMinSize,
        EventKind.BuySell => BuySellSize,
        EventKind.LongShort => LongShortSize,
        EventKind.ForceLiquidate => ForceLiquidateSize,
        EventKind.FullClose => FullCloseSize,
        EventKind.PartialClose => PartialCloseSize,
        EventKind.MilestoneDiscount => MilestoneDiscountSize,
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Not a SpinPet event kind."),
    };

    public static bool HasFixedSize(EventKind kind) => kind != EventKind.TokenCreated;
}
