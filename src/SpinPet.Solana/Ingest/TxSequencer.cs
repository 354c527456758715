using SpinPet.Core.Chain;
using SpinPet.Core.Ingest;

namespace SpinPet.Solana.Ingest;

/// <summary>
/// Gives each applied transaction its place in a slot. The ingest applies in chain order (backfill oldest first,
/// live notifications in block order), so the next transaction of the newest slot takes the next index; a new
/// slot starts at 0. The index is the order among the program's transactions in that slot as the node reports
/// them, which is block order; it is not the absolute position in the block (no RPC of the subset tells that).
/// </summary>
internal sealed class TxSequencer(Checkpoint? checkpoint)
{
    private Checkpoint? _newest = checkpoint;
    private readonly Dictionary<ulong, uint> _lateSlots = [];

    public Checkpoint? Newest => _newest;

    /// <summary>True when <paramref name="slot"/> is older than what was already applied.</summary>
    public bool IsLate(ulong slot) => _newest is { } newest && slot < newest.Slot;

    /// <summary>After a batch is stored the store answers for late slots again.</summary>
    public void EndBatch() => _lateSlots.Clear();

    public uint Next(TxSignature signature, ulong slot, Func<ulong, uint?> lastStoredInSlot)
    {
        if (_newest is not { } newest || slot > newest.Slot)
        {
            _newest = new Checkpoint(signature, slot, 0);
            return 0;
        }
        if (slot == newest.Slot)
        {
            _newest = newest with { Signature = signature, TxIndex = newest.TxIndex + 1 };
            return newest.TxIndex + 1;
        }
        // A late transaction of an older slot goes after what that slot already holds; the checkpoint stays.
        uint index = _lateSlots.TryGetValue(slot, out var last) ? last + 1 : (lastStoredInSlot(slot) is { } stored ? stored + 1 : 0);
        _lateSlots[slot] = index;
        return index;
    }
}
