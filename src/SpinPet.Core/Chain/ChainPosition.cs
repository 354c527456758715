namespace SpinPet.Core.Chain;

/// <summary>
/// Where an event stands in chain order: slot, the transaction's position among the program's transactions of
/// that slot, and the event's position among the program's events in that transaction. Comparing positions
/// compares chain order.
/// </summary>
public readonly record struct ChainPosition(ulong Slot, uint TxIndex, ushort EventIndex) : IComparable<ChainPosition>
{
    public int CompareTo(ChainPosition other)
    {
        int bySlot = Slot.CompareTo(other.Slot);
        if (bySlot != 0)
        {
            return bySlot;
        }
        int byTx = TxIndex.CompareTo(other.TxIndex);
        return byTx != 0 ? byTx : EventIndex.CompareTo(other.EventIndex);
    }

    public static bool operator <(ChainPosition left, ChainPosition right) => left.CompareTo(right) < 0;

    public static bool operator >(ChainPosition left, ChainPosition right) => left.CompareTo(right) > 0;

    public static bool operator <=(ChainPosition left, ChainPosition right) => left.CompareTo(right) <= 0;

    public static bool operator >=(ChainPosition left, ChainPosition right) => left.CompareTo(right) >= 0;

    public override string ToString() => $"{Slot}:{TxIndex}:{EventIndex}";
}
