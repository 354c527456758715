using System.Security.Cryptography;
using System.Text;
using SpinPet.Core.Events;

namespace SpinPet.ChainSimulator.Borsh;

/// <summary>
/// Anchor's 8-byte prefixes: events are <c>sha256("event:&lt;Name&gt;")[..8]</c>, instructions
/// <c>sha256("global:&lt;snake_name&gt;")[..8]</c>.
/// </summary>
internal static class Discriminators
{
    public const int Length = 8;

    private static readonly byte[][] ByKind = BuildEventTable();

    public static ReadOnlySpan<byte> For(EventKind kind) => ByKind[(int)kind];

    public static string EventName(EventKind kind) => kind switch
    {
        EventKind.TokenCreated => "TokenCreatedEvent",
        EventKind.BuySell => "BuySellEvent",
        EventKind.LongShort => "LongShortEvent",
        EventKind.ForceLiquidate => "ForceLiquidateEvent",
        EventKind.FullClose => "FullCloseEvent",
        EventKind.PartialClose => "PartialCloseEvent",
        EventKind.MilestoneDiscount => "MilestoneDiscountEvent",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Not a SpinPet event."),
    };

    /// <summary>True when <paramref name="prefix"/> is one of the seven event discriminators.</summary>
    public static bool IsEvent(ReadOnlySpan<byte> prefix)
    {
        foreach (EventKind kind in Enum.GetValues<EventKind>())
        {
            if (prefix.SequenceEqual(For(kind)))
            {
                return true;
            }
        }
        return false;
    }

    public static byte[] Event(string eventName) => Prefix("event:" + eventName);

    public static byte[] Instruction(string snakeCaseName) => Prefix("global:" + snakeCaseName);

    private static byte[] Prefix(string preimage) =>
        SHA256.HashData(Encoding.UTF8.GetBytes(preimage)).AsSpan(0, Length).ToArray();

    private static byte[][] BuildEventTable()
    {
        var table = new byte[(int)EventKind.MilestoneDiscount + 1][];
        table[0] = [];
        foreach (EventKind kind in Enum.GetValues<EventKind>())
        {
            table[(int)kind] = Event(EventName(kind));
        }
        return table;
    }
}
