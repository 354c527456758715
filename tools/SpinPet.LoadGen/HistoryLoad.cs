using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;

namespace SpinPet.LoadGen;

/// <summary>
/// The history scenario: closed-loop request load, each of <c>concurrency</c> workers sending its next request as
/// soon as the previous answer arrived, for a fixed time. <c>http</c> asks a URL (REST <c>/api/kline</c> pages, or
/// a peer's plain-text hello world as the ceiling of this client and Kestrel together); <c>wshistory</c> sends
/// <c>history</c> requests over WebSocket connections and waits for each <c>history_data</c>.
/// </summary>
internal static class HistoryLoad
{
    public static async Task<Dictionary<string, object>> HttpAsync(Options o)
    {
        string baseUrl = o.Text("url") ?? throw new ArgumentException("--url is required");
        var pages = PageQueries(o);
        int concurrency = o.Int("concurrency", 16);
        double duration = o.Double("duration", 10);
        double warmup = o.Double("warmup", 2);
        using var handler = new SocketsHttpHandler { MaxConnectionsPerServer = concurrency, PooledConnectionLifetime = Timeout.InfiniteTimeSpan };
        using var http = new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(30) };
        var histogram = new LatencyHistogram();
        long ok = 0, failed = 0, bytes = 0;
        var window = new MeasurementWindow();
        using var stop = new CancellationTokenSource();
        var cpu0 = Process.GetCurrentProcess().TotalProcessorTime;
        var workers = Enumerable.Range(0, concurrency).Select(w => Task.Run(async () =>
        {
            var random = new Random(w);
            while (!stop.IsCancellationRequested)
            {
                string url = pages is null ? baseUrl : baseUrl + pages(random);
                long started = Stopwatch.GetTimestamp();
                try
                {
                    using var response = await http.GetAsync(new Uri(url), HttpCompletionOption.ResponseContentRead, stop.Token);
                    byte[] body = await response.Content.ReadAsByteArrayAsync(stop.Token);
                    if (!window.Measuring)
                    {
                        continue;
                    }
                    if (response.StatusCode == HttpStatusCode.OK)
                    {
                        histogram.Record(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                        Interlocked.Increment(ref ok);
                        Interlocked.Add(ref bytes, body.Length);
                    }
                    else
                    {
                        Interlocked.Increment(ref failed);
                    }
                }
                catch (Exception e) when (e is HttpRequestException or OperationCanceledException or IOException)
                {
                    if (!stop.IsCancellationRequested)
                    {
                        Interlocked.Increment(ref failed);
                    }
                }
            }
        })).ToArray();
        var (seconds, cpu) = await window.RunAsync(warmup, duration);
        await stop.CancelAsync();
        await Task.WhenAll(workers);
        return new Dictionary<string, object>
        {
            ["verb"] = "http",
            ["concurrency"] = concurrency,
            ["window_s"] = Math.Round(seconds, 2),
            ["requests_ok"] = ok,
            ["requests_failed"] = failed,
            ["requests_per_s"] = Math.Round(ok / seconds),
            ["mean_body_bytes"] = ok == 0 ? 0 : bytes / ok,
            ["latency"] = histogram.Summary(),
            ["loadgen_cpu_pct_window"] = Math.Round(100 * cpu / seconds, 1),
            ["loadgen_cpu_s_total"] = Math.Round((Process.GetCurrentProcess().TotalProcessorTime - cpu0).TotalSeconds, 2),
        };
    }

    public static async Task<Dictionary<string, object>> WebSocketAsync(Options o)
    {
        var server = new Uri(o.Text("server") ?? throw new ArgumentException("--server is required"));
        var mints = Verbs.ReadMints(o.Text("mints") ?? throw new ArgumentException("--mints is required"));
        int limit = o.Int("limit", 100);
        long firstTime = long.Parse(o.Text("first-time", "0"), CultureInfo.InvariantCulture);
        int span = o.Int("candles-per-mint", 0);
        int concurrency = o.Int("concurrency", 16);
        double duration = o.Double("duration", 10);
        double warmup = o.Double("warmup", 2);
        using var fleet = new Fleet(server, WireProtocol.SpinPet, o.Int("per-address", 900));
        int connected = await fleet.ConnectAsync(concurrency, o.Int("parallel", 64), TimeSpan.FromSeconds(60));
        var histogram = new LatencyHistogram();
        long ok = 0;
        var window = new MeasurementWindow();
        var stop = false;
        var random = new Random(1);
        // One outstanding request per connection: the next is sent from the receive callback of the answer.
        fleet.OnReply = (connection, kind) =>
        {
            if (kind != MessageKind.History)
            {
                return;
            }
            if (window.Measuring)
            {
                histogram.Record(Stopwatch.GetElapsedTime(connection.RequestStartedAt).TotalMilliseconds);
                Interlocked.Increment(ref ok);
            }
            if (!Volatile.Read(ref stop))
            {
                Send(connection);
            }
        };
        void Send(WsConnection connection)
        {
            string mint;
            long before;
            lock (random)
            {
                mint = mints[random.Next(mints.Count)];
                before = span > limit ? firstTime + limit + random.Next(span - limit) : 0;
            }
            string request = before > 0
                ? $"{{\"msg_type\":\"history\",\"symbol\":\"{mint}\",\"interval\":\"s1\",\"limit\":{limit},\"before\":{before}}}"
                : $"{{\"msg_type\":\"history\",\"symbol\":\"{mint}\",\"interval\":\"s1\",\"limit\":{limit}}}";
            connection.RequestStartedAt = Stopwatch.GetTimestamp();
            connection.SendText(Encoding.UTF8.GetBytes(request));
        }
        var cpu0 = Process.GetCurrentProcess().TotalProcessorTime;
        foreach (var connection in fleet.Connections)
        {
            Send(connection);
        }
        var (seconds, cpu) = await window.RunAsync(warmup, duration);
        Volatile.Write(ref stop, true);
        return new Dictionary<string, object>
        {
            ["verb"] = "wshistory",
            ["concurrency"] = connected,
            ["limit"] = limit,
            ["window_s"] = Math.Round(seconds, 2),
            ["requests_ok"] = ok,
            ["requests_per_s"] = Math.Round(ok / seconds),
            ["error_messages"] = Stats.ErrorMessages.Value,
            ["latency"] = histogram.Summary(),
            ["loadgen_cpu_pct_window"] = Math.Round(100 * cpu / seconds, 1),
            ["loadgen_cpu_s_total"] = Math.Round((Process.GetCurrentProcess().TotalProcessorTime - cpu0).TotalSeconds, 2),
        };
    }

    /// <summary>For /api/kline: a query string per request (random mint, random full page); null for a fixed URL.</summary>
    private static Func<Random, string>? PageQueries(Options o)
    {
        if (o.Text("mints") is not { } mintsArg)
        {
            return null;
        }
        var mints = Verbs.ReadMints(mintsArg);
        int limit = o.Int("limit", 100);
        long firstTime = long.Parse(o.Text("first-time", "0"), CultureInfo.InvariantCulture);
        int span = o.Int("candles-per-mint", 0);
        return random =>
        {
            string mint = mints[random.Next(mints.Count)];
            return span > limit
                ? string.Create(CultureInfo.InvariantCulture, $"?mint={mint}&interval=s1&limit={limit}&before={firstTime + limit + random.Next(span - limit)}")
                : string.Create(CultureInfo.InvariantCulture, $"?mint={mint}&interval=s1&limit={limit}");
        };
    }
}

/// <summary>Warm-up, then a measured window announced on stdout (WINDOW_START/END) for the suite to sample around.</summary>
internal sealed class MeasurementWindow
{
    private volatile bool _measuring;

    public bool Measuring => _measuring;

    /// <summary>Waits out the warm-up and the window; returns the window's length and this process's CPU seconds in it.</summary>
    public async Task<(double Seconds, double CpuSeconds)> RunAsync(double warmupSeconds, double durationSeconds)
    {
        await Task.Delay(TimeSpan.FromSeconds(warmupSeconds));
        var clock = Stopwatch.StartNew();
        var cpu0 = Process.GetCurrentProcess().TotalProcessorTime;
        _measuring = true;
        Console.WriteLine("WINDOW_START");
        await Task.Delay(TimeSpan.FromSeconds(durationSeconds));
        _measuring = false;
        Console.WriteLine("WINDOW_END");
        return (clock.Elapsed.TotalSeconds, (Process.GetCurrentProcess().TotalProcessorTime - cpu0).TotalSeconds);
    }
}
