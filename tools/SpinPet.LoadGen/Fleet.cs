using System.Collections.Concurrent;
using System.Net;
using System.Text;

namespace SpinPet.LoadGen;

/// <summary>Which wire protocol the clients speak: ours (<c>/ws</c>) or SignalR's JSON hub protocol.</summary>
internal enum WireProtocol
{
    SpinPet = 0,
    SignalR = 1,
}

/// <summary>
/// N raw WebSocket clients spread over source addresses 127.0.0.2, 127.0.0.3, … (at most
/// <c>perAddress</c> each), their subscriptions, and the receive-side measurement. With several servers (a cluster's
/// gateways) connection i goes to server i mod n, so every server gets the same share of connections and topics.
/// </summary>
internal sealed class Fleet : IDisposable
{
    private const byte RecordSeparator = 0x1e;
    private readonly IReadOnlyList<Uri> _servers;
    private readonly WireProtocol _protocol;
    private readonly int _perAddress;
    private readonly ConcurrentBag<WsConnection> _connections = [];
    private readonly List<Task> _receivers = [];
    private readonly CancellationTokenSource _stop = new();
    private readonly Lock _errorLock = new();
    private int _errorsPrinted;

    public Fleet(Uri server, WireProtocol protocol, int perAddress)
        : this([server], protocol, perAddress)
    {
    }

    public Fleet(IReadOnlyList<Uri> servers, WireProtocol protocol, int perAddress)
    {
        if (servers.Count == 0)
        {
            throw new ArgumentException("at least one server");
        }
        _servers = servers;
        _protocol = protocol;
        _perAddress = perAddress;
    }

    /// <summary>Latency receive − message <c>timestamp</c> (server push time), during the window.</summary>
    public LatencyHistogram PushLatency { get; } = new();

    /// <summary>Latency receive − the trade's block emission (simulator in this process), during the window.</summary>
    public LatencyHistogram EmissionLatency { get; } = new();

    /// <summary>
    /// Latency receive − the slot tick that started composing the trade's block: the emission latency plus the
    /// simulator's own composing time (what e2e_latency measured until 2026-12-07's sixth pass).
    /// </summary>
    public LatencyHistogram TickLatency { get; } = new();

    /// <summary>State key → its origin; null when trades are not produced in this process.</summary>
    public ConcurrentDictionary<ulong, Emission>? Emissions { get; set; }

    public volatile bool Measuring;

    /// <summary>When set, the first kline_data message is written there (the payload the peers replay).</summary>
    public string? CapturePath { get; set; }

    private int _captured;

    private readonly ConcurrentQueue<(ulong Key, double ReceivedMs)> _pending = new();

    /// <summary>After the window: matches receipts that arrived before their emission was recorded.</summary>
    public void ResolvePending()
    {
        while (_pending.TryDequeue(out var item))
        {
            if (Emissions is { } map && map.TryGetValue(item.Key, out var emission))
            {
                Record(emission, item.ReceivedMs);
            }
            else
            {
                Stats.UnmatchedStates.Increment();
            }
        }
    }

    public int Count => _connections.Count;

    public IEnumerable<WsConnection> Connections => _connections;

    /// <summary>Called for every message that is not a kline_data (history load: the answer to a request).</summary>
    public Action<WsConnection, MessageKind>? OnReply { get; set; }

    public async Task<int> ConnectAsync(int connections, int parallel, TimeSpan timeout)
    {
        using var deadline = new CancellationTokenSource(timeout);
        using var gate = new SemaphoreSlim(parallel);
        var tasks = new List<Task>(connections);
        for (int i = 0; i < connections && !deadline.IsCancellationRequested; i++)
        {
            await gate.WaitAsync(deadline.Token).ConfigureAwait(false);
            int id = i;
            tasks.Add(Task.Run(async () =>
            {
                try
                {
                    var local = new IPAddress(new byte[] { 127, 0, (byte)((2 + (id / _perAddress)) >> 8), (byte)((2 + (id / _perAddress)) & 0xFF) });
                    var connection = new WsConnection(local, IsStalled(id) ? StalledReceiveBufferBytes : 0) { Id = id };
                    var server = _servers[id % _servers.Count];
                    try
                    {
                        await connection.ConnectAsync(new IPEndPoint(IPAddress.Parse(server.Host), server.Port), server.Authority, server.PathAndQuery, deadline.Token).ConfigureAwait(false);
                    }
                    catch
                    {
                        connection.Dispose();
                        throw;
                    }
                    if (_protocol == WireProtocol.SignalR)
                    {
                        connection.SendText("{\"protocol\":\"json\",\"version\":1}\u001e"u8);
                    }
                    _connections.Add(connection);
                    lock (_receivers)
                    {
                        _receivers.Add(Task.Run(() => ReceiveAsync(connection)));
                    }
                }
                catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException or OperationCanceledException)
                {
                    Stats.ConnectFailures.Increment();
                    ReportError($"connect {id}: {e.Message}");
                }
                finally
                {
                    gate.Release();
                }
            }));
        }
        await Task.WhenAll(tasks).ConfigureAwait(false);
        return _connections.Count;
    }

    /// <summary>Connection c subscribes to topics (c·k + s) mod |topics| for s in 0..k−1.</summary>
    public void Subscribe(IReadOnlyList<(string Mint, string Interval)> topics, int perConnection)
    {
        foreach (var connection in _connections)
        {
            for (int s = 0; s < perConnection; s++)
            {
                var (mint, interval) = topics[((connection.Id * perConnection) + s) % topics.Count];
                string id = $"sub_{s}";
                string message = _protocol == WireProtocol.SignalR
                    ? $"{{\"type\":1,\"target\":\"Subscribe\",\"arguments\":[\"{mint}\",\"{interval}\",\"{id}\"]}}\u001e"
                    : $"{{\"msg_type\":\"subscribe\",\"symbol\":\"{mint}\",\"interval\":\"{interval}\",\"subscription_id\":\"{id}\",\"limit\":1}}";
                try
                {
                    connection.SendText(Encoding.UTF8.GetBytes(message));
                }
                catch (System.Net.Sockets.SocketException e)
                {
                    ReportError($"subscribe {connection.Id}: {e.Message}");
                }
            }
        }
    }

    /// <summary>Waits (bounded) until <paramref name="expected"/> confirmations arrived; returns how many did.</summary>
    public static async Task<long> WaitConfirmedAsync(long expected, TimeSpan timeout)
    {
        var until = DateTime.UtcNow + timeout;
        while (Stats.Confirmations.Value < expected && DateTime.UtcNow < until)
        {
            await Task.Delay(50).ConfigureAwait(false);
        }
        return Stats.Confirmations.Value;
    }

    /// <summary>SignalR closes clients that send nothing for 30 s: one ping message per connection.</summary>
    public void KeepAlive()
    {
        if (_protocol != WireProtocol.SignalR)
        {
            return;
        }
        foreach (var connection in _connections)
        {
            try
            {
                connection.SendText("{\"type\":6}\u001e"u8);
            }
            catch (System.Net.Sockets.SocketException)
            {
                // Counted when its receive loop ends.
            }
        }
    }

    public int OpenConnections() => _connections.Count - (int)Stats.ServerCloses.Value;

    /// <summary>Connections that received no kline_data in the window (each must get its updates), stalled ones aside.</summary>
    public int ConnectionsWithoutFrames() => _connections.Count(c => c.KlineFramesInWindow == 0 && !IsStalled(c.Id));

    private const int StalledReceiveBufferBytes = 4096;

    /// <summary>Every <c>StallEvery</c>-th connection (ids 0, n, 2n …) is a slow consumer; 0: none.</summary>
    public int StallEvery { get; set; }

    private bool IsStalled(int id) => StallEvery > 0 && id % StallEvery == 0;

    /// <summary>
    /// The slow consumers stop reading (after their subscriptions were confirmed) until the fleet is disposed: their
    /// small receive buffers fill and the server's sends to them back up, the server's slow-consumer rules' case.
    /// </summary>
    public int StallSlowConsumers()
    {
        int stalled = 0;
        foreach (var connection in _connections)
        {
            if (IsStalled(connection.Id))
            {
                connection.Stall = Task.Delay(Timeout.Infinite, _stop.Token);
                stalled++;
            }
        }
        return stalled;
    }

    private async Task ReceiveAsync(WsConnection connection)
    {
        try
        {
            await connection.ReceiveLoopAsync(OnText, _stop.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException or OperationCanceledException or ObjectDisposedException)
        {
            if (!_stop.IsCancellationRequested)
            {
                Stats.ServerCloses.Increment();
                ReportError($"receive {connection.Id}: {e.Message}");
            }
        }
    }

    private void OnText(WsConnection connection, ReadOnlySpan<byte> message)
    {
        if (_protocol == WireProtocol.SpinPet)
        {
            OnMessage(connection, message);
            return;
        }
        while (!message.IsEmpty)
        {
            int end = message.IndexOf(RecordSeparator);
            var record = end < 0 ? message : message[..end];
            if (!record.IsEmpty)
            {
                OnMessage(connection, record);
            }
            message = end < 0 ? default : message[(end + 1)..];
        }
    }

    private void OnMessage(WsConnection connection, ReadOnlySpan<byte> message)
    {
        switch (KlineFields.KindOf(message))
        {
            case MessageKind.Kline:
                if (Measuring)
                {
                    connection.KlineFramesInWindow++;
                }
                OnKline(message);
                break;
            case MessageKind.Confirmed:
                Interlocked.Increment(ref connection.Confirmed);
                Stats.Confirmations.Increment();
                break;
            case MessageKind.Error:
                Stats.ErrorMessages.Increment();
                ReportError("server error message: " + Encoding.UTF8.GetString(message[..Math.Min(200, message.Length)]));
                OnReply?.Invoke(connection, MessageKind.Error);
                break;
            default:
                OnReply?.Invoke(connection, KlineFields.KindOf(message));
                break;
        }
    }

    private void OnKline(ReadOnlySpan<byte> message)
    {
        double now = Clock.NowMs();
        Stats.KlineFrames.Increment();
        if (CapturePath is { } path && Interlocked.Exchange(ref _captured, 1) == 0)
        {
            File.WriteAllBytes(path, message.ToArray());
        }
        if (!Measuring || !KlineFields.TryReadKline(message, Emissions is not null, out var kline))
        {
            return;
        }
        Stats.KlineFramesInWindow.Increment();
        PushLatency.Record(now - kline.PushMs);
        if (kline.IsFinal)
        {
            Stats.FinalFramesInWindow.Increment();
            return;
        }
        if (Emissions is { } map)
        {
            if (map.TryGetValue(kline.StateKey, out var emission))
            {
                Record(emission, now);
            }
            else
            {
                // The block is published inside ProduceBlock, before its states reach the map: resolve later.
                _pending.Enqueue((kline.StateKey, now));
            }
        }
    }

    private void Record(Emission emission, double receivedMs)
    {
        EmissionLatency.Record(receivedMs - emission.EmittedMs);
        TickLatency.Record(receivedMs - emission.TickMs);
    }

    private void ReportError(string text)
    {
        lock (_errorLock)
        {
            if (_errorsPrinted++ < 10)
            {
                Console.Error.WriteLine(text);
            }
        }
    }

    public void Dispose()
    {
        _stop.Cancel();
        foreach (var connection in _connections)
        {
            connection.Dispose();
        }
        _stop.Dispose();
    }
}

/// <summary>Wall clock in unix milliseconds with sub-millisecond resolution (the same clock the servers stamp).</summary>
internal static class Clock
{
    public static double NowMs() => Ms(DateTimeOffset.UtcNow);

    public static double Ms(DateTimeOffset time) => (time.UtcTicks - DateTime.UnixEpoch.Ticks) / (double)TimeSpan.TicksPerMillisecond;
}
