using System.Text.Json;
using SpinPet.Core.Candles;
using SpinPet.Core.Chain;
using SpinPet.Streaming.Protocol;

namespace SpinPet.Streaming.Topics;

/// <summary>
/// <c>connection_success.supported_symbols</c>: the <c>kline.supported_symbols_limit</c> most recently active mints,
/// newest first, kept up to date as activity arrives instead of sorting every mint per connection. The serialized
/// lists are shared by every greeting until the list changes (<see cref="GreetingTail"/>).
/// </summary>
/// <remarks>
/// Exact, not an approximation: the list's oldest time only grows (a mint's time only grows, and a mint enters only
/// by displacing an older one), so a mint outside the list was last active no later than every mint in it.
/// Cost: a lookup per noted activity, a move within the list when a mint's time advances (active mints sit near the
/// front, so the move is short), and a rebuild of at most <c>limit</c> names per change, made by the first
/// connection that greets after it.
/// </remarks>
internal sealed class RecentMints(int limit, IReadOnlyList<Interval> intervals)
{
    private readonly Lock _gate = new();
    private readonly Dictionary<PublicKey, Entry> _byMint = new(Math.Min(limit, 1024));
    // Newest first; ties keep their arrival order.
    private readonly List<Entry> _newestFirst = new(Math.Min(limit, 1024));
    private readonly byte[] _intervalsJson = IntervalsJson(intervals);
    private long _version;
    private (long Version, SharedBytes Tail)? _greeting;

    /// <summary>Records that <paramref name="mint"/> was active at <paramref name="time"/> (kept: the latest time).</summary>
    public void Note(PublicKey mint, long time)
    {
        if (limit == 0)
        {
            return;
        }
        lock (_gate)
        {
            if (_byMint.TryGetValue(mint, out var entry))
            {
                if (time <= entry.Time)
                {
                    return;
                }
                entry.Time = time;
                int index = _newestFirst.IndexOf(entry);
                MoveUp(index);
            }
            else
            {
                if (_newestFirst.Count == limit)
                {
                    var oldest = _newestFirst[^1];
                    if (time <= oldest.Time)
                    {
                        return;
                    }
                    _newestFirst.RemoveAt(_newestFirst.Count - 1);
                    _byMint.Remove(oldest.Mint);
                }
                entry = new Entry(mint, time);
                _byMint.Add(mint, entry);
                _newestFirst.Add(entry);
                MoveUp(_newestFirst.Count - 1);
            }
            _version++;
        }
    }

    /// <summary>The mints, newest first (a copy of at most <c>limit</c> names).</summary>
    public IReadOnlyList<string> Symbols()
    {
        Entry[] entries;
        lock (_gate)
        {
            entries = [.. _newestFirst];
        }
        return [.. entries.Select(e => e.Symbol)];
    }

    /// <summary>
    /// <c>,"supported_symbols":[…],"supported_intervals":[…]}</c>: the end of every <c>connection_success</c>, the same
    /// instance until the list changes.
    /// </summary>
    public SharedBytes GreetingTail()
    {
        Entry[] entries;
        long version;
        lock (_gate)
        {
            if (_greeting is { } current && current.Version == _version)
            {
                return current.Tail;
            }
            version = _version;
            entries = [.. _newestFirst];
        }
        // Serialized outside the lock, which the ingest takes for every noted activity.
        var tail = new SharedBytes(ServerMessages.ConnectionSuccessTail(entries.Select(e => e.Symbol), _intervalsJson));
        lock (_gate)
        {
            if (_greeting is not { } kept || kept.Version < version)
            {
                _greeting = (version, tail);
            }
        }
        return tail;
    }

    private void MoveUp(int index)
    {
        var entry = _newestFirst[index];
        int target = index;
        while (target > 0 && _newestFirst[target - 1].Time < entry.Time)
        {
            target--;
        }
        if (target != index)
        {
            _newestFirst.RemoveAt(index);
            _newestFirst.Insert(target, entry);
        }
    }

    private static byte[] IntervalsJson(IReadOnlyList<Interval> intervals)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartArray();
            foreach (var interval in intervals)
            {
                writer.WriteStringValue(interval.Name);
            }
            writer.WriteEndArray();
        }
        return buffer.ToArray();
    }

    private sealed class Entry(PublicKey mint, long time)
    {
        private string? _symbol;

        public PublicKey Mint { get; } = mint;

        /// <summary>Written under the list's lock only.</summary>
        public long Time { get; set; } = time;

        /// <summary>Base58, made once per entry (two racing greetings make the same string).</summary>
        public string Symbol => _symbol ??= Mint.ToString();
    }
}
