using System.Text;
using SpinPet.Core.Events;

namespace SpinPet.Storage;

/// <summary>
/// Totals of what the store holds, kept in the meta family and rewritten in every batch, so that they are exact
/// after a restart without a scan. Immutable: the store swaps in a new snapshot after each successful write.
/// </summary>
public sealed class StoreCounters : IEquatable<StoreCounters>
{
    /// <summary>One slot per <see cref="EventKind"/> value (slot 0 unused): today 8.</summary>
    internal static readonly int KnownKindSlots = ComputeKnownKindSlots();

    private readonly ulong[] _eventsByKind;

    internal StoreCounters(ulong events, ulong transactions, ulong failedTransactions, ulong rejectedPayloads, ulong[] eventsByKind)
    {
        Events = events;
        Transactions = transactions;
        FailedTransactions = failedTransactions;
        RejectedPayloads = rejectedPayloads;
        _eventsByKind = eventsByKind;
    }

    public static StoreCounters Empty { get; } = new(0, 0, 0, 0, new ulong[KnownKindSlots]);

    /// <summary>Events stored.</summary>
    public ulong Events { get; }

    /// <summary>Transactions recorded in the signatures index, failed ones included.</summary>
    public ulong Transactions { get; }

    /// <summary>Failed (reverted) transactions recorded; they have no events.</summary>
    public ulong FailedTransactions { get; }

    /// <summary>Payloads of ours that did not decode, kept for replay.</summary>
    public ulong RejectedPayloads { get; }

    internal ReadOnlySpan<ulong> KindSlots => _eventsByKind;

    /// <summary>Events stored of one kind.</summary>
    public ulong EventsOf(EventKind kind) => (int)kind < _eventsByKind.Length ? _eventsByKind[(int)kind] : 0;

    internal StoreCounters Add(ulong events, ulong transactions, ulong failed, ulong rejected, ReadOnlySpan<ulong> eventsByKind)
    {
        var byKind = (ulong[])_eventsByKind.Clone();
        for (int i = 0; i < eventsByKind.Length; i++)
        {
            byKind[i] += eventsByKind[i];
        }
        return new StoreCounters(Events + events, Transactions + transactions, FailedTransactions + failed, RejectedPayloads + rejected, byKind);
    }

    public bool Equals(StoreCounters? other) =>
        other is not null
        && Events == other.Events
        && Transactions == other.Transactions
        && FailedTransactions == other.FailedTransactions
        && RejectedPayloads == other.RejectedPayloads
        && TrimZeros(_eventsByKind).SequenceEqual(TrimZeros(other._eventsByKind));

    public override bool Equals(object? obj) => Equals(obj as StoreCounters);

    public override int GetHashCode() => HashCode.Combine(Events, Transactions, FailedTransactions, RejectedPayloads);

    public override string ToString()
    {
        var text = new StringBuilder()
            .Append("events=").Append(Events)
            .Append(" transactions=").Append(Transactions)
            .Append(" failed=").Append(FailedTransactions)
            .Append(" rejected=").Append(RejectedPayloads);
        for (int i = 1; i < _eventsByKind.Length; i++)
        {
            if (_eventsByKind[i] != 0)
            {
                text.Append(' ').Append(Enum.IsDefined((EventKind)i) ? ((EventKind)i).ToString() : $"kind{i}").Append('=').Append(_eventsByKind[i]);
            }
        }
        return text.ToString();
    }

    private static ReadOnlySpan<ulong> TrimZeros(ReadOnlySpan<ulong> counts)
    {
        int length = counts.Length;
        while (length > 0 && counts[length - 1] == 0)
        {
            length--;
        }
        return counts[..length];
    }

    private static int ComputeKnownKindSlots()
    {
        int max = 0;
        foreach (var kind in Enum.GetValues<EventKind>())
        {
            max = Math.Max(max, (int)kind);
        }
        return max + 1;
    }
}
