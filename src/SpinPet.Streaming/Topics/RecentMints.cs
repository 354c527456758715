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
    private (long Version, SharedFrame Tail)? _greeting;

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
            else if (_newestFirst.Count < limit)
            {
                entry = new Entry(mint, time);
                _byMint.Add(mint, entry);
                _newestFirst.Add(entry);
                MoveUp(_newestFirst.Count - 1);
            }
            else
            {
                // Full: the oldest entry makes room, and its object is reused, so the ingest allocates nothing once
                // the list has filled (a greeting already serialized keeps its own bytes).
                entry = _newestFirst[^1];
                if (time <= entry.Time)
                {
                    return;
                }
                _byMint.Remove(entry.Mint);
                entry.Reset(mint, time);
                _byMint.Add(mint, entry);
                MoveUp(_newestFirst.Count - 1);
            }
            _version++;
        }
    }

    /// <summary>The mints, newest first (a copy of at most <c>limit</c> names).</summary>
    public IReadOnlyList<string> Symbols() => Names(out _);

    /// <summary>
    /// <c>,"supported_symbols":[…],"supported_intervals":[…]}</c>: the end of every <c>connection_success</c>, after
    /// each connection's own head (the frame's piece, with nothing before it), the same instance until the list changes.
    /// </summary>
    public SharedFrame GreetingTail()
    {
        lock (_gate)
        {
            if (_greeting is { } current && current.Version == _version)
            {
                return current.Tail;
            }
        }
        var tail = new SharedFrame(prefix: [], ServerMessages.ConnectionSuccessTail(Names(out long version), _intervalsJson));
        lock (_gate)
        {
            if (_greeting is not { } kept || kept.Version < version)
            {
                _greeting = (version, tail);
            }
        }
        return tail;
    }

    /// <summary>
    /// The names, newest first, as of <paramref name="version"/>. Entries are read under the lock only (the ingest
    /// reuses them); the base58 of a mint is made outside it, once per mint while it stays in the list.
    /// </summary>
    private string[] Names(out long version)
    {
        (PublicKey Mint, string? Symbol)[] snapshot;
        lock (_gate)
        {
            version = _version;
            snapshot = new (PublicKey, string?)[_newestFirst.Count];
            for (int i = 0; i < snapshot.Length; i++)
            {
                snapshot[i] = (_newestFirst[i].Mint, _newestFirst[i].Symbol);
            }
        }
        var names = new string[snapshot.Length];
        bool made = false;
        for (int i = 0; i < names.Length; i++)
        {
            made |= snapshot[i].Symbol is null;
            names[i] = snapshot[i].Symbol ?? snapshot[i].Mint.ToString();
        }
        if (made)
        {
            lock (_gate)
            {
                for (int i = 0; i < names.Length; i++)
                {
                    if (snapshot[i].Symbol is null && _byMint.TryGetValue(snapshot[i].Mint, out var entry))
                    {
                        entry.Symbol ??= names[i];
                    }
                }
            }
        }
        return names;
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

    /// <summary>A mint in the list; every field is read and written under the list's lock.</summary>
    private sealed class Entry(PublicKey mint, long time)
    {
        public PublicKey Mint { get; private set; } = mint;

        public long Time { get; set; } = time;

        /// <summary>The mint's base58, once a greeting has made it.</summary>
        public string? Symbol { get; set; }

        public void Reset(PublicKey mint, long time)
        {
            Mint = mint;
            Time = time;
            Symbol = null;
        }
    }
}
