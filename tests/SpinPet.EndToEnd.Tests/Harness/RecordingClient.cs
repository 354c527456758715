using System.Text.Json;

namespace SpinPet.EndToEnd.Tests.Harness;

/// <summary>
/// A /ws client that subscribes to some topics and records everything it receives, per topic, in arrival order,
/// so a test can check ordering (history before live, states only moving forward) and completeness.
/// </summary>
internal sealed class RecordingClient : IAsyncDisposable
{
    private readonly KlineSocketClient _socket;
    private readonly Dictionary<(string Mint, string Interval), List<(string Kind, JsonElement Data)>> _log = [];
    private readonly Dictionary<(string, string), string> _ids = [];
    private readonly Task _reader;
    private int _confirmed;
    private long _maxDelayMs;
    // Completed while the client reads; a paused client waits on a new one before its next read.
    private TaskCompletionSource _reading = Completed();

    private RecordingClient(KlineSocketClient socket, IReadOnlyList<(string Mint, string Interval)> topics)
    {
        _socket = socket;
        Topics = topics;
        foreach (var topic in topics)
        {
            _log[topic] = [];
        }
        _reader = Task.Run(ReadAsync);
    }

    public IReadOnlyList<(string Mint, string Interval)> Topics { get; }

    public int Confirmed => Volatile.Read(ref _confirmed);

    public KlineSocketClient Socket => _socket;

    /// <summary>
    /// The longest a <c>kline_data</c> took from the server's timestamp (when the broadcaster serialized it) to this
    /// client's read of it, in milliseconds (the same machine's clock on both sides).
    /// </summary>
    public long MaxDelayMs => Interlocked.Read(ref _maxDelayMs);

    public static async Task<RecordingClient> StartAsync(Uri server, IReadOnlyList<(string Mint, string Interval)> topics, string name,
        System.Net.WebSockets.WebSocketDeflateOptions? deflate = null, int? receiveBufferBytes = null)
    {
        var socket = await KlineSocketClient.ConnectAsync(server, deflate, receiveBufferBytes);
        await socket.ReceiveUntilAsync("connection_success");
        var client = new RecordingClient(socket, topics);
        for (int i = 0; i < topics.Count; i++)
        {
            var id = $"{name}_{i}";
            client._ids[topics[i]] = id;
            await socket.SendAsync(new { msg_type = "subscribe", symbol = topics[i].Mint, interval = topics[i].Interval, subscription_id = id, limit = 1000 });
        }
        return client;
    }

    /// <summary>Stops reading after the message in progress: the server's sends back up (a slow consumer).</summary>
    public void Pause() => Volatile.Write(ref _reading, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));

    public void Resume() => Volatile.Read(ref _reading).TrySetResult();

    /// <summary>
    /// True when the client holds exactly the stored candles of its window (from its history's first candle on):
    /// its newest state of each equals the stored one, and it holds no candle the store does not.
    /// </summary>
    public bool HasFinal((string, string) topic, List<JsonElement> stored)
    {
        var held = Reconstruct(topic, out var since);
        var window = stored.Where(c => c.GetProperty("time").GetInt64() >= since).ToList();
        return window.Count == held.Count
            && window.All(c => held.TryGetValue(c.GetProperty("time").GetInt64(), out var mine) && Same(mine, c));
    }

    public void AssertOrderedAndComplete(Dictionary<(string, string), List<JsonElement>> stored)
    {
        foreach (var topic in Topics)
        {
            List<(string Kind, JsonElement Data)> log;
            lock (_log)
            {
                log = [.. _log[topic]];
            }
            Assert.True(log.Count >= 2, $"{topic}: expected history and confirmation");
            Assert.Equal("history_data", log[0].Kind);
            Assert.Equal("subscription_confirmed", log[1].Kind);
            var latest = new Dictionary<long, JsonElement>();
            foreach (var candle in log[0].Data.GetProperty("data").EnumerateArray())
            {
                latest[candle.GetProperty("time").GetInt64()] = candle;
            }
            foreach (var (kind, data) in log.Skip(2))
            {
                Assert.Equal("kline_data", kind);
                Assert.Equal(_ids[topic], data.GetProperty("subscription_id").GetString());
                var candle = data.GetProperty("data");
                long time = candle.GetProperty("time").GetInt64();
                if (latest.TryGetValue(time, out var previous))
                {
                    // A state only moves forward: never after its final, never an older update count, never twice.
                    Assert.False(previous.GetProperty("is_final").GetBoolean(), $"{topic} {time}: a state after the final one");
                    Assert.True(candle.GetProperty("update_count").GetInt64() > previous.GetProperty("update_count").GetInt64()
                        || (candle.GetProperty("is_final").GetBoolean() && candle.GetProperty("update_count").GetInt64() == previous.GetProperty("update_count").GetInt64()),
                        $"{topic} {time}: state went backwards or repeated");
                }
                Assert.Equal(candle.GetProperty("is_final").GetBoolean() ? "final" : "realtime", candle.GetProperty("update_type").GetString());
                latest[time] = candle;
            }
            Assert.True(HasFinal(topic, stored[topic]), $"{topic}: the client's candles differ from the store's");
        }
    }

    public async ValueTask DisposeAsync()
    {
        Resume();
        await _socket.DisposeAfterAsync(_reader);
        await _reader;
    }

    private Dictionary<long, JsonElement> Reconstruct((string, string) topic, out long since)
    {
        var held = new Dictionary<long, JsonElement>();
        since = long.MaxValue;
        lock (_log)
        {
            foreach (var (kind, data) in _log[topic])
            {
                if (kind == "history_data")
                {
                    var candles = data.GetProperty("data").EnumerateArray().ToList();
                    // An empty history means every candle came live: the window is everything.
                    since = candles.Count == 0 ? long.MinValue : candles[0].GetProperty("time").GetInt64();
                    foreach (var candle in candles)
                    {
                        held[candle.GetProperty("time").GetInt64()] = candle;
                    }
                }
                else if (kind == "kline_data")
                {
                    var candle = data.GetProperty("data");
                    held[candle.GetProperty("time").GetInt64()] = candle;
                }
            }
        }
        return held;
    }

    private static TaskCompletionSource Completed()
    {
        var done = new TaskCompletionSource();
        done.SetResult();
        return done;
    }

    private static bool Same(JsonElement a, JsonElement b) =>
        a.GetProperty("open").GetDouble() == b.GetProperty("open").GetDouble()
        && a.GetProperty("high").GetDouble() == b.GetProperty("high").GetDouble()
        && a.GetProperty("low").GetDouble() == b.GetProperty("low").GetDouble()
        && a.GetProperty("close").GetDouble() == b.GetProperty("close").GetDouble()
        && a.GetProperty("update_count").GetInt64() == b.GetProperty("update_count").GetInt64()
        && a.GetProperty("is_final").GetBoolean() == b.GetProperty("is_final").GetBoolean();

    private async Task ReadAsync()
    {
        while (true)
        {
            JsonElement? message;
            await Volatile.Read(ref _reading).Task;
            try
            {
                message = await _socket.ReceiveAsync(TimeSpan.FromMinutes(5));
            }
            catch (Exception ex) when (ex is System.Net.WebSockets.WebSocketException or OperationCanceledException or ObjectDisposedException)
            {
                return;
            }
            if (message is not { } m)
            {
                return;
            }
            var type = m.GetProperty("type").GetString()!;
            if (!m.TryGetProperty("data", out var data) || data.ValueKind != JsonValueKind.Object || !data.TryGetProperty("symbol", out var symbol))
            {
                continue;
            }
            var topic = (symbol.GetString()!, data.GetProperty("interval").GetString()!);
            lock (_log)
            {
                if (_log.TryGetValue(topic, out var list))
                {
                    list.Add((type, data));
                }
            }
            if (type == "kline_data")
            {
                long delay = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() - data.GetProperty("timestamp").GetInt64();
                long max;
                while (delay > (max = Interlocked.Read(ref _maxDelayMs)) && Interlocked.CompareExchange(ref _maxDelayMs, delay, max) != max)
                {
                }
            }
            if (type == "subscription_confirmed")
            {
                Interlocked.Increment(ref _confirmed);
            }
        }
    }
}
