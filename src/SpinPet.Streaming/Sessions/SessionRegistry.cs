using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.Extensions.Logging;
using SpinPet.Streaming.Protocol;

namespace SpinPet.Streaming.Sessions;

/// <summary>
/// Every open /ws session: admission (total and per-address limits), the once-a-second sweep that pings, closes
/// idle connections and ends sends stalled past the send timeout, and closing everyone at shutdown.
/// </summary>
public sealed partial class SessionRegistry(StreamingOptions options, int maxConnections, int maxConnectionsPerIp, StreamingCounters counters, ILogger<SessionRegistry> logger)
{
    private readonly ConcurrentDictionary<ClientSession, byte> _sessions = new();
    private readonly ConcurrentDictionary<string, int> _perAddress = new();
    private int _reserved;
    private long _slowConsumersLogged;

    public int Count => _sessions.Count;

    public IEnumerable<ClientSession> Sessions => _sessions.Keys;

    /// <summary>Claims a connection slot before the upgrade; false (answer 503) when a limit is reached.</summary>
    public bool TryReserve(string address, out string? refusal)
    {
        refusal = null;
        if (Interlocked.Increment(ref _reserved) > maxConnections)
        {
            Interlocked.Decrement(ref _reserved);
            refusal = $"server at capacity ({maxConnections} connections)";
        }
        else if (_perAddress.AddOrUpdate(address, 1, (_, n) => n + 1) > maxConnectionsPerIp)
        {
            Release(address);
            refusal = $"too many connections from this address (limit {maxConnectionsPerIp})";
        }
        if (refusal is not null)
        {
            counters.Refused();
        }
        return refusal is null;
    }

    public void Release(string address)
    {
        Interlocked.Decrement(ref _reserved);
        _perAddress.AddOrUpdate(address, 0, (_, n) => n - 1);
        _perAddress.TryRemove(new KeyValuePair<string, int>(address, 0));
    }

    public void Add(ClientSession session)
    {
        _sessions.TryAdd(session, 0);
        counters.Connected();
    }

    public void Remove(ClientSession session)
    {
        if (_sessions.TryRemove(session, out _))
        {
            counters.Disconnected();
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
                        session.RequestClose(CloseCode.GoingAway, $"idle timeout: nothing received for {idleMs / 1000} s");
                    }
                    else
                    {
                        session.PingIfDue(now);
                    }
                }
                long slow = counters.SlowConsumerCloses;
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

    [LoggerMessage(Level = LogLevel.Warning, Message = "Closed {New} slow consumer(s) (outgoing queue over its bound: close 1008; a send stalled past the send timeout: connection aborted); {Total} since start")]
    private static partial void LogSlowConsumers(ILogger logger, long @new, long total);
}
