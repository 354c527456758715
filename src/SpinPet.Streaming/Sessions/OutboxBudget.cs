using SpinPet.Core.Figures;

namespace SpinPet.Streaming.Sessions;

/// <summary>
/// The bytes outboxes may hold beyond their free allowance (<see cref="Outbox.FreeBytes"/> each): one budget for the
/// process (<c>websocket.max_outbox_bytes_total</c>) and one per client address (<c>websocket.max_outbox_bytes_per_ip</c>;
/// an IPv4 address or an IPv6 /64), each address's drawing on the process's. docs/security.md has the figures.
/// </summary>
/// <remarks>
/// An outbox takes credit in whole chunks of <see cref="Outbox.CreditChunkBytes"/> and gives it back a chunk at a
/// time as it drains, so these counters are touched once per 64 KiB an outbox grows past its allowance, never per
/// frame: every load-test connection comes from 127.0.0.1, and a per-frame counter of that address would be
/// contended by all of them.
/// </remarks>
public sealed class OutboxBudget
{
    private readonly OutboxBudget? _process;
    private long _reserved;
    private long _peak;

    // On the process's budget: the most any one address's budget has held.
    private long _addressPeak;

    private OutboxBudget(long limit, long addressLimit, OutboxBudget? process)
    {
        Limit = limit;
        AddressLimit = addressLimit;
        _process = process;
    }

    /// <summary>What this budget lends at most, in bytes.</summary>
    public long Limit { get; }

    /// <summary>The limit of each address's budget (the same on an address's own budget).</summary>
    public long AddressLimit { get; }

    /// <summary>Bytes lent now.</summary>
    public long Reserved => Volatile.Read(ref _reserved);

    /// <summary>The most this budget has lent at once (never more than <see cref="Limit"/>).</summary>
    public long PeakReserved => Volatile.Read(ref _peak);

    /// <summary>On the process's budget: the most any one address has been lent at once.</summary>
    public long AddressPeakReserved => Volatile.Read(ref _addressPeak);

    public static OutboxBudget ForProcess(long total, long perAddress)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(total);
        ArgumentOutOfRangeException.ThrowIfNegative(perAddress);
        return new OutboxBudget(total, perAddress, process: null);
    }

    /// <summary>A new address's budget, drawing on this process's budget.</summary>
    public OutboxBudget ForAddress()
    {
        if (_process is not null)
        {
            throw new InvalidOperationException("An address's budget draws on the process's; it has no addresses of its own.");
        }
        return new OutboxBudget(AddressLimit, AddressLimit, this);
    }

    /// <summary>
    /// Lends <paramref name="bytes"/> from this address's budget and the process's, or nothing: the overflow names the
    /// budget that had no room.
    /// </summary>
    internal OutboxOverflow TryReserve(long bytes)
    {
        if (!TryTake(bytes))
        {
            return _process is null ? OutboxOverflow.ProcessBudget : OutboxOverflow.AddressBudget;
        }
        if (_process is { } process)
        {
            if (!process.TryTake(bytes))
            {
                Interlocked.Add(ref _reserved, -bytes);
                return OutboxOverflow.ProcessBudget;
            }
            Peak.Raise(ref process._addressPeak, Reserved);
        }
        return OutboxOverflow.None;
    }

    /// <summary>Gives back what <see cref="TryReserve"/> lent, to this budget and the process's.</summary>
    internal void Release(long bytes)
    {
        Interlocked.Add(ref _reserved, -bytes);
        if (_process is { } process)
        {
            Interlocked.Add(ref process._reserved, -bytes);
        }
    }

    // A compare-and-swap loop rather than add-then-undo: a concurrent taker never sees a sum past the limit, so none
    // is refused for room that was only borrowed for a moment.
    private bool TryTake(long bytes)
    {
        long current = Volatile.Read(ref _reserved);
        while (true)
        {
            long next = current + bytes;
            if (next > Limit)
            {
                return false;
            }
            long seen = Interlocked.CompareExchange(ref _reserved, next, current);
            if (seen == current)
            {
                Peak.Raise(ref _peak, next);
                return true;
            }
            current = seen;
        }
    }
}
