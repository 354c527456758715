using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using SpinPet.Core.Events;

namespace SpinPet.Solana.Decoding;

/// <summary>
/// Anchor event discriminators: the first 8 bytes of <c>sha256("event:" + name)</c>, read as a little-endian
/// ulong so that matching a payload is one 8-byte load and a handful of integer compares.
/// </summary>
public static class EventDiscriminators
{
    public const int Length = 8;

    // Computed from the IDL names rather than pasted as hex, so a renamed event cannot silently keep a stale
    // value; a test pins them to the hex in events.md. Static readonly primitives are folded into constants by
    // the tier-1 JIT, so the compare chain in TryGetKind costs what a switch on literals would.
    private static readonly ulong s_tokenCreated = Compute("TokenCreatedEvent");
    private static readonly ulong s_buySell = Compute("BuySellEvent");
    private static readonly ulong s_longShort = Compute("LongShortEvent");
    private static readonly ulong s_forceLiquidate = Compute("ForceLiquidateEvent");
    private static readonly ulong s_fullClose = Compute("FullCloseEvent");
    private static readonly ulong s_partialClose = Compute("PartialCloseEvent");
    private static readonly ulong s_milestoneDiscount = Compute("MilestoneDiscountEvent");

    /// <summary>The seven kinds in declaration order, for callers that enumerate them.</summary>
    public static IReadOnlyList<EventKind> Kinds { get; } =
    [
        EventKind.TokenCreated,
        EventKind.BuySell,
        EventKind.LongShort,
        EventKind.ForceLiquidate,
        EventKind.FullClose,
        EventKind.PartialClose,
        EventKind.MilestoneDiscount,
    ];

    /// <summary>sha256("event:" + eventName)[0..8] as a little-endian ulong.</summary>
    public static ulong Compute(string eventName)
    {
        ArgumentNullException.ThrowIfNull(eventName);
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(Encoding.UTF8.GetBytes("event:" + eventName), hash);
        return BinaryPrimitives.ReadUInt64LittleEndian(hash);
    }

    public static ulong Of(EventKind kind) => kind switch
    {
        EventKind.TokenCreated => s_tokenCreated,
        EventKind.BuySell => s_buySell,
        EventKind.LongShort => s_longShort,
        EventKind.ForceLiquidate => s_forceLiquidate,
        EventKind.FullClose => s_fullClose,
        EventKind.PartialClose => s_partialClose,
        EventKind.MilestoneDiscount => s_milestoneDiscount,
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Not a SpinPet event kind."),
    };

    /// <summary>The IDL event name, with its <c>Event</c> suffix.</summary>
    public static string NameOf(EventKind kind) => kind switch
    {
        EventKind.TokenCreated => "TokenCreatedEvent",
        EventKind.BuySell => "BuySellEvent",
        EventKind.LongShort => "LongShortEvent",
        EventKind.ForceLiquidate => "ForceLiquidateEvent",
        EventKind.FullClose => "FullCloseEvent",
        EventKind.PartialClose => "PartialCloseEvent",
        EventKind.MilestoneDiscount => "MilestoneDiscountEvent",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Not a SpinPet event kind."),
    };

    public static bool TryGetKind(ulong discriminator, out EventKind kind)
    {
        // Most frequent first: trades dominate the program's traffic, token creation is rare.
        if (discriminator == s_buySell)
        {
            kind = EventKind.BuySell;
        }
        else if (discriminator == s_longShort)
        {
            kind = EventKind.LongShort;
        }
        else if (discriminator == s_fullClose)
        {
            kind = EventKind.FullClose;
        }
        else if (discriminator == s_partialClose)
        {
            kind = EventKind.PartialClose;
        }
        else if (discriminator == s_forceLiquidate)
        {
            kind = EventKind.ForceLiquidate;
        }
        else if (discriminator == s_tokenCreated)
        {
            kind = EventKind.TokenCreated;
        }
        else if (discriminator == s_milestoneDiscount)
        {
            kind = EventKind.MilestoneDiscount;
        }
        else
        {
            kind = default;
            return false;
        }
        return true;
    }

    /// <summary>Reads the discriminator at the start of a payload; false when the payload is under 8 bytes.</summary>
    public static bool TryRead(ReadOnlySpan<byte> payload, out ulong discriminator) =>
        BinaryPrimitives.TryReadUInt64LittleEndian(payload, out discriminator);

    /// <summary>Lower-case hex of the 8 bytes in payload order, as events.md writes them.</summary>
    public static string ToHex(ulong discriminator)
    {
        Span<byte> bytes = stackalloc byte[Length];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, discriminator);
        return Convert.ToHexStringLower(bytes);
    }
}
