using System.Text.Json;

namespace SpinPet.EndToEnd.Tests.Harness;

/// <summary>
/// A /ws client of one topic that keeps what a chart keeps: its candles by time with the position each state came
/// with, and the position to resume from (protocol.md, "Position and resume"). It applies a snapshot (ordinary or
/// recovered) and the pushes after it, and records every message in order for the test to check.
/// </summary>
internal sealed class ResumingClient : IAsyncDisposable
{
    private readonly KlineSocketClient _socket;
    private readonly Lock _gate = new();
    private readonly List<(string Type, JsonElement Data)> _log = [];
    private readonly Dictionary<long, (JsonElement Candle, long Seq)> _candles;
    private readonly TaskCompletionSource _confirmed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Task _reader;
    private string? _epoch;
    private long _complete;

    private ResumingClient(KlineSocketClient socket, string mint, string interval, Dictionary<long, (JsonElement, long)> candles, long since)
    {
        _socket = socket;
        Mint = mint;
        Interval = interval;
        _candles = candles;
        Since = since;
        _reader = Task.Run(ReadAsync);
    }

    public string Mint { get; }

    public string Interval { get; }

    /// <summary>The oldest candle time the client holds from (its first snapshot's first candle).</summary>
    public long Since { get; private set; }

    /// <summary>
    /// Where to resume from: every batch up to it has fully reached the client. A snapshot reflects its seq fully; a
    /// push's batch may have changed more candles of the topic than have arrived yet (one batch closes a candle and
    /// opens the next), so a push completes only the batches before it.
    /// </summary>
    public (string Epoch, long Seq) Position
    {
        get
        {
            lock (_gate)
            {
                return (_epoch!, _complete);
            }
        }
    }

    public IReadOnlyList<(string Type, JsonElement Data)> Log
    {
        get
        {
            lock (_gate)
            {
                return [.. _log];
            }
        }
    }

    public IReadOnlyDictionary<long, (JsonElement Candle, long Seq)> Candles
    {
        get
        {
            lock (_gate)
            {
                return new Dictionary<long, (JsonElement, long)>(_candles);
            }
        }
    }

    public static Task<ResumingClient> StartAsync(Uri server, string mint, string interval) =>
        StartAsync(server, mint, interval, resume: null, held: null, since: long.MaxValue);

    /// <summary>A new connection that resumes where <paramref name="previous"/> stopped, holding its candles.</summary>
    public static Task<ResumingClient> ResumeAsync(Uri server, ResumingClient previous) =>
        StartAsync(server, previous.Mint, previous.Interval, previous.Position, previous.Candles, previous.Since);

    public static async Task<ResumingClient> StartAsync(Uri server, string mint, string interval, (string Epoch, long Seq)? resume,
        IReadOnlyDictionary<long, (JsonElement, long)>? held, long since, int limit = 1000)
    {
        var socket = await KlineSocketClient.ConnectAsync(server);
        await socket.ReceiveUntilAsync("connection_success");
        var client = new ResumingClient(socket, mint, interval, held is null ? [] : new(held), since);
        await socket.SendAsync(resume is { } at
            ? new { msg_type = "subscribe", symbol = mint, interval, subscription_id = "r1", limit, resume = new { epoch = at.Epoch, seq = at.Seq } }
            : (object)new { msg_type = "subscribe", symbol = mint, interval, subscription_id = "r1", limit });
        await client._confirmed.Task.WaitAsync(TimeSpan.FromSeconds(30));
        return client;
    }

    public Task SendAsync(string json) => _socket.SendAsync(json);

    /// <summary>True when the client's candles from <see cref="Since"/> on are exactly <paramref name="stored"/>'s.</summary>
    public bool Holds(List<JsonElement> stored)
    {
        var held = Candles;
        var window = stored.Where(c => c.GetProperty("time").GetInt64() >= Since).ToList();
        return window.Count == held.Count
            && window.All(c => held.TryGetValue(c.GetProperty("time").GetInt64(), out var mine) && Same(mine.Candle, c));
    }

    public static bool Same(JsonElement a, JsonElement b) =>
        a.GetProperty("open").GetDouble() == b.GetProperty("open").GetDouble()
        && a.GetProperty("high").GetDouble() == b.GetProperty("high").GetDouble()
        && a.GetProperty("low").GetDouble() == b.GetProperty("low").GetDouble()
        && a.GetProperty("close").GetDouble() == b.GetProperty("close").GetDouble()
        && a.GetProperty("volume").GetDouble() == b.GetProperty("volume").GetDouble()
        && a.GetProperty("update_count").GetInt64() == b.GetProperty("update_count").GetInt64()
        && a.GetProperty("is_final").GetBoolean() == b.GetProperty("is_final").GetBoolean();

    public async ValueTask DisposeAsync()
    {
        await _socket.DisposeAfterAsync(_reader);
        await _reader;
    }

    private async Task ReadAsync()
    {
        while (true)
        {
            JsonElement? message;
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
            var data = m.TryGetProperty("data", out var d) ? d : default;
            lock (_gate)
            {
                _log.Add((type, data));
                Apply(type, data);
            }
            if (type is "subscription_confirmed" or "error")
            {
                _confirmed.TrySetResult();
            }
        }
    }

    private void Apply(string type, JsonElement data)
    {
        switch (type)
        {
            case "history_data":
                long seq = data.GetProperty("seq").GetInt64();
                _epoch = data.GetProperty("epoch").GetString();
                _complete = seq;
                if (!(data.TryGetProperty("recovered", out var recovered) && recovered.GetBoolean()))
                {
                    // The ordinary snapshot replaces what the client held.
                    _candles.Clear();
                    Since = long.MaxValue;
                }
                foreach (var candle in data.GetProperty("data").EnumerateArray())
                {
                    long time = candle.GetProperty("time").GetInt64();
                    Since = Math.Min(Since, time);
                    _candles[time] = (candle, seq);
                }
                break;
            case "kline_data":
                var state = data.GetProperty("data");
                long pushSeq = data.GetProperty("seq").GetInt64();
                Since = Math.Min(Since, state.GetProperty("time").GetInt64());
                _candles[state.GetProperty("time").GetInt64()] = (state, pushSeq);
                _complete = Math.Max(_complete, pushSeq - 1);
                break;
        }
    }
}
