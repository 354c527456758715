using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;
using Microsoft.Extensions.Logging;
using SpinPet.WebSockets;

namespace SpinPet.Streaming.Sessions;

/// <summary>
/// Every open /ws session: admission (total and per-address limits, and each address's share of the outbox budget),
/// the once-a-second sweep that pings, closes idle connections and ends sends stalled past the send timeout, and
/// closing everyone at shutdown.
/// </summary>
/// <remarks>
/// "An address" is whatever key the host passes: the host groups an IPv6 /64 into one (a host usually holds a whole
/// /64), as its REST rate limiter does.
/// </remarks>
public sealed partial class SessionRegistry(StreamingOptions options, int maxConnections, int maxConnectionsPerIp, OutboxBudget outboxBudget,
    StreamingCounters counters, ILogger<SessionRegistry> logger)
{
    private readonly ConcurrentDictionary<ClientSession, byte> _sessions = new();

    // A lock, not a concurrent dictionary: an entry holds a count and a budget, and is removed with its last
    // connection; taken once per connection and once per disconnection, never per message.
    private readonly Dictionary<string, AddressEntry> _addresses = new(StringComparer.Ordinal);
    private int _reserved;
    private long _slowConsumersLogged;

    public int Count => _sessions.Count;

    public IEnumerable<ClientSession> Sessions => _sessions.Keys;

    /// <summary>The process's outbox budget, which every address's draws on (its figures are in the status route).</summary>
    public OutboxBudget OutboxBudget { get; } = outboxBudget;

    /// <summary>
    /// Claims a connection slot before the upgrade; false (answer 503) when a limit is reached. On success
    /// <paramref name="budget"/> is the address's outbox budget, shared by its connections while any is open.
    /// A caller that hands a refused connection on to a path that asks again (the connection-level accept hands it to
    /// Kestrel's, which answers the 503) passes <paramref name="countRefusal"/> false, so it is counted once.
    /// </summary>
    public bool TryReserve(string address, [NotNullWhen(true)] out OutboxBudget? budget, out string? refusal, bool countRefusal = true)
    {
        budget = null;
        refusal = null;
        if (Interlocked.Increment(ref _reserved) > maxConnections)
        {
            Interlocked.Decrement(ref _reserved);
            refusal = $"server at capacity ({maxConnections} connections)";
        }
        else
        {
            lock (_addresses)
            {
                if (!_addresses.TryGetValue(address, out var entry))
                {
                    entry = new AddressEntry(OutboxBudget.ForAddress());
                    _addresses.Add(address, entry);
                }
                if (entry.Connections < maxConnectionsPerIp)
                {
                    entry.Connections++;
                    budget = entry.Budget;
                }
            }
            if (budget is null)
            {
                Interlocked.Decrement(ref _reserved);
                refusal = $"too many connections from this address (limit {maxConnectionsPerIp})";
            }
        }
        if (refusal is not null && countRefusal)
        {
            counters.RefusedConnections.Add(1);
        }
        return refusal is null;
    }

    /// <summary>Gives back a slot <see cref="TryReserve"/> claimed; the address is forgotten with its last connection.</summary>
    public void Release(string address)
    {
        Interlocked.Decrement(ref _reserved);
        lock (_addresses)
        {
            // An outbox gives back its credit with its last send, before its session ends, so the address's budget
            // is empty by now; credit a send still returns later goes back to the process's budget all the same.
            if (_addresses.TryGetValue(address, out var entry) && --entry.Connections == 0)
            {
                _addresses.Remove(address);
            }
        }
    }

    public void Add(ClientSession session)
    {
        _sessions.TryAdd(session, 0);
        counters.ActiveConnections.Add(1);
    }

    public void Remove(ClientSession session)
    {
        if (_sessions.TryRemove(session, out _))
        {
            counters.ActiveConnections.Add(-1);
        }
    }

    /// <summary>Once a second: ping who is due, close who has sent nothing (no frame at all) for the idle timeout.</summary>
    public async Task RunSweeperAsync(CancellationToken ct)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1));
        long idleMs = (long)options.IdleTimeout.TotalMilliseconds;
        try
        {
            while (await timer.WaitForNextTickAsync(ct))
            {
                long now = Environment.TickCount64;
                long nowTimestamp = Stopwatch.GetTimestamp();
                foreach (var session in _sessions.Keys)
                {
                    session.AbortIfSendStalled(nowTimestamp);
                    if (Stopwatch.GetElapsedTime(session.LastReceivedAt).TotalMilliseconds > idleMs)
                    {
                        session.RequestClose(WebSocketCloseCodes.GoingAway, $"idle timeout: nothing received for {idleMs / 1000} s");
                    }
                    else
                    {
                        session.PingIfDue(now);
                    }
                }
                long slow = counters.SlowConsumerCloses.Value;
                if (slow > _slowConsumersLogged)
                {
                    // Once per episode (a second with new slow consumers), not once per client.
                    LogSlowConsumers(logger, slow - _slowConsumersLogged, slow);
                    _slowConsumersLogged = slow;
                }
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
    }

    private sealed class AddressEntry(OutboxBudget budget)
    {
        public int Connections { get; set; }

        public OutboxBudget Budget { get; } = budget;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Closed {New} slow consumer(s) (outgoing queue over its bound, or its address's or the server's outbox budget spent: close 1008; a send stalled past the send timeout: connection aborted); {Total} since start")]
    private static partial void LogSlowConsumers(ILogger logger, long @new, long total);
}
