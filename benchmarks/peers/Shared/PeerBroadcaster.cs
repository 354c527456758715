using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace SpinPet.Peers;

/// <summary>
/// The fan-out driver every .NET peer shares: replays the kline_data payload our server sent (captured by the load
/// generator), re-targeted per topic and with both <c>timestamp</c> fields set to the send time, at a fixed rate,
/// round-robin over the topics that have subscribers. Counts messages and per-socket deliveries.
/// </summary>
public sealed partial class PeerBroadcaster
{
    private readonly string _template;
    private readonly string _templateSymbol;
    private readonly string _templateInterval;
    private readonly Func<string, string, ValueTask<int>> _send;
    private readonly Lock _lock = new();
    private CancellationTokenSource? _run;
    private Task _loop = Task.CompletedTask;
    private long _sent;
    private long _deliveries;

    /// <param name="templatePath">A kline_data message as our server sends it.</param>
    /// <param name="send">Sends one payload to a topic's subscribers; returns how many sockets it went to.</param>
    public PeerBroadcaster(string templatePath, Func<string, string, ValueTask<int>> send)
    {
        _template = File.ReadAllText(templatePath).Trim();
        using var doc = JsonDocument.Parse(_template);
        var data = doc.RootElement.GetProperty("data");
        _templateSymbol = data.GetProperty("symbol").GetString()!;
        _templateInterval = data.GetProperty("interval").GetString()!;
        _send = send;
    }

    /// <summary>Topic ("symbol|interval") → subscriber count.</summary>
    public ConcurrentDictionary<string, int> Topics { get; } = new(StringComparer.Ordinal);

    public void AddSubscriber(string symbol, string interval) => Topics.AddOrUpdate(Topic(symbol, interval), 1, static (_, n) => n + 1);

    public static string Topic(string symbol, string interval) => symbol + "|" + interval;

    public static string Confirmation(string symbol, string interval, string subscriptionId) =>
        JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["type"] = "subscription_confirmed",
            ["data"] = new Dictionary<string, object> { ["symbol"] = symbol, ["interval"] = interval, ["subscription_id"] = subscriptionId, ["success"] = true, ["message"] = "ok" },
            ["timestamp"] = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(),
        });

    public void Start(double rate, double seconds)
    {
        lock (_lock)
        {
            _run?.Cancel();
            _run = new CancellationTokenSource(TimeSpan.FromSeconds(Math.Min(seconds, 3600)));
            Interlocked.Exchange(ref _sent, 0);
            Interlocked.Exchange(ref _deliveries, 0);
            var token = _run.Token;
            _loop = Task.Run(() => LoopAsync(rate, token));
        }
    }

    public async Task<string> StopAsync()
    {
        Task loop;
        lock (_lock)
        {
            _run?.Cancel();
            loop = _loop;
        }
        await loop.ConfigureAwait(false);
        return JsonSerializer.Serialize(new Dictionary<string, long> { ["sent"] = Interlocked.Read(ref _sent), ["deliveries"] = Interlocked.Read(ref _deliveries) });
    }

    private async Task LoopAsync(double rate, CancellationToken ct)
    {
        var topics = Topics.Keys.Order(StringComparer.Ordinal).ToArray();
        if (topics.Length == 0 || rate <= 0)
        {
            return;
        }
        var pieces = topics.Select(t => TimestampField().Split(Retarget(t))).ToArray();
        var clock = Stopwatch.StartNew();
        long sent = 0;
        while (!ct.IsCancellationRequested)
        {
            long due = (long)(clock.Elapsed.TotalSeconds * rate);
            while (sent < due && !ct.IsCancellationRequested)
            {
                int i = (int)(sent % topics.Length);
                string now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture);
                string payload = string.Join("\"timestamp\":" + now, pieces[i]);
                int n = await _send(topics[i], payload).ConfigureAwait(false);
                sent++;
                Interlocked.Increment(ref _sent);
                Interlocked.Add(ref _deliveries, n);
            }
            try
            {
                await Task.Delay(1, ct).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private string Retarget(string topic)
    {
        int bar = topic.IndexOf('|', StringComparison.Ordinal);
        return _template
            .Replace("\"symbol\":\"" + _templateSymbol + "\"", "\"symbol\":\"" + topic[..bar] + "\"", StringComparison.Ordinal)
            .Replace("\"interval\":\"" + _templateInterval + "\"", "\"interval\":\"" + topic[(bar + 1)..] + "\"", StringComparison.Ordinal);
    }

    [GeneratedRegex("\"timestamp\":[0-9]+")]
    private static partial Regex TimestampField();
}
