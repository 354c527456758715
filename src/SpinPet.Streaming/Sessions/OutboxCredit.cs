namespace SpinPet.Streaming.Sessions;

/// <summary>
/// One outbox's credit from its address's <see cref="OutboxBudget"/>: the first <see cref="Outbox.FreeBytes"/> it
/// holds are its own; beyond them it holds only what it reserved, in whole chunks of
/// <see cref="Outbox.CreditChunkBytes"/>. The /ws outbox and a Socket.IO session's outbox use the same rule, so both
/// draw on the same budgets the same way (docs/security.md).
/// </summary>
/// <remarks>Not thread-safe: its outbox calls it under the outbox's own lock, with the bytes it holds.</remarks>
public sealed class OutboxCredit(OutboxBudget budget)
{
    private long _credit;

    /// <summary>Bytes reserved from the budget now, a multiple of <see cref="Outbox.CreditChunkBytes"/>.</summary>
    public long Reserved => _credit;

    /// <summary>
    /// Makes room for the outbox to hold <paramref name="bytes"/>: reserves the whole chunks missing, or nothing (the
    /// overflow names the budget that had no room).
    /// </summary>
    public OutboxOverflow TryCover(long bytes)
    {
        if (bytes <= Outbox.FreeBytes + _credit)
        {
            return OutboxOverflow.None;
        }
        long chunks = (bytes - Outbox.FreeBytes - _credit + Outbox.CreditChunkBytes - 1) / Outbox.CreditChunkBytes;
        var overflow = budget.TryReserve(chunks * Outbox.CreditChunkBytes);
        if (overflow == OutboxOverflow.None)
        {
            _credit += chunks * Outbox.CreditChunkBytes;
        }
        return overflow;
    }

    /// <summary>
    /// Gives back the credit an outbox holding <paramref name="bytes"/> no longer needs. While it may still grow it
    /// keeps less than two chunks of room above what it holds (an empty one keeps none: FreeBytes is a chunk), so one
    /// hovering at a chunk's edge does not take and return it per message; once <paramref name="final"/> (overflowed
    /// or closed: it accepts nothing more) it keeps only what <paramref name="bytes"/> needs.
    /// </summary>
    public void Trim(long bytes, bool final)
    {
        if (_credit == 0)
        {
            return;
        }
        long spare = final
            ? _credit - (Math.Max(0, bytes - Outbox.FreeBytes) + Outbox.CreditChunkBytes - 1) / Outbox.CreditChunkBytes * Outbox.CreditChunkBytes
            : Math.Min(_credit, ((Outbox.FreeBytes + _credit - bytes) / Outbox.CreditChunkBytes - 1) * Outbox.CreditChunkBytes);
        if (spare > 0)
        {
            _credit -= spare;
            budget.Release(spare);
        }
    }
}
