using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using System.Text.Json;
using SpinPet.LoadGen;

const string Usage = """
usage: SpinPet.LoadGen <verb> [--option value …]
  idle    --server ws://127.0.0.1:P/ws --connections N --subscriptions 3 --mints <file|m1,m2> [--intervals s1,s30,m5] [--hold S]
  fanout  --server URL[,URL…] --connections N --topics K --duration S [--warmup S] [--subscriptions 1] [--intervals s1]
          (--mints <file|list> --control http://127.0.0.1:P/control --rate R   : a peer broadcasts R msgs/s)
          (--sim --sim-rate R [--sim-mints M --sim-slot-ms 400 --sim-rpc-port P --sim-ws-port P --mints-out F]
                                                                               : trades from an in-process simulator)
          [--stalled N]  N of the connections (spread evenly) stop reading once subscribed: slow consumers
  e2e     = fanout --sim (prints SIM_RPC/SIM_WS, waits for the server to report caught up on /health unless
            --connect-during-catch-up, measures trade emission → receipt)
  http    --url http://127.0.0.1:P/api/kline [--mints F --limit 100 --first-time T --candles-per-mint N] --concurrency C --duration S
          (closed loop; without --mints the URL is asked as is, e.g. a hello world)
  wshistory --server ws://… --mints F --limit 100 --first-time T --candles-per-mint N --concurrency C --duration S
(fanout/e2e/idle: several comma-separated --server URLs deal connection i to URL i mod n, e.g. a cluster's gateways)
common: --protocol spinpet|signalr  --per-address 900  --parallel 64  --connect-timeout 120  --capture <file>
Every verb prints one line 'RESULT {json}' at the end.
""";

if (args.Length == 0 || args[0] is "-h" or "--help")
{
    Console.WriteLine(Usage);
    return 0;
}
var options = new Options(args.Skip(1));
try
{
    return args[0] switch
    {
        "idle" => await Verbs.IdleAsync(options),
        "fanout" => await Verbs.FanoutAsync(options, options.Flag("sim")),
        "e2e" => await Verbs.FanoutAsync(options, sim: true),
        "http" => Verbs.Print(await HistoryLoad.HttpAsync(options)),
        "wshistory" => Verbs.Print(await HistoryLoad.WebSocketAsync(options)),
        _ => Fail("unknown verb " + args[0]),
    };
}
catch (Exception e) when (e is ArgumentException or FormatException or IOException or HttpRequestException or SocketException or TimeoutException)
{
    return Fail(e.Message);
}

static int Fail(string message)
{
    Console.Error.WriteLine(message);
    Console.Error.WriteLine(Usage);
    return 2;
}

namespace SpinPet.LoadGen
{
    internal static class Verbs
    {
        public static async Task<int> IdleAsync(Options o)
        {
            var started = Stopwatch.StartNew();
            var cpu0 = Process.GetCurrentProcess().TotalProcessorTime;
            int connections = o.Int("connections", 100);
            int subscriptions = o.Int("subscriptions", 3);
            var topics = Topics(ReadMints(o.Text("mints") ?? throw new ArgumentException("--mints is required")),
                o.Text("intervals", "s1,s30,m5"), int.MaxValue);
            using var fleet = NewFleet(o);
            int connected = await fleet.ConnectAsync(connections, o.Int("parallel", 64), TimeSpan.FromSeconds(o.Int("connect-timeout", 120)));
            fleet.Subscribe(topics, subscriptions);
            long confirmed = await Fleet.WaitConfirmedAsync((long)connected * subscriptions, TimeSpan.FromSeconds(o.Int("confirm-timeout", 120)));
            double hold = o.Double("hold", 10);
            Console.WriteLine($"HOLDING connected={connected} confirmed={confirmed}");
            var until = DateTime.UtcNow + TimeSpan.FromSeconds(hold);
            while (DateTime.UtcNow < until)
            {
                await Task.Delay(TimeSpan.FromSeconds(Math.Min(5, hold))).ConfigureAwait(false);
                fleet.KeepAlive();
            }
            var result = new Dictionary<string, object>
            {
                ["verb"] = "idle",
                ["connections_requested"] = connections,
                ["connected"] = connected,
                ["open_at_end"] = fleet.OpenConnections(),
                ["subscriptions_confirmed"] = confirmed,
                ["subscriptions_expected"] = (long)connected * subscriptions,
                ["connect_failures"] = Stats.ConnectFailures.Value,
                ["server_closes"] = Stats.ServerCloses.Value,
                ["error_messages"] = Stats.ErrorMessages.Value,
                ["loadgen_cpu_s"] = Math.Round((Process.GetCurrentProcess().TotalProcessorTime - cpu0).TotalSeconds, 2),
                ["elapsed_s"] = Math.Round(started.Elapsed.TotalSeconds, 1),
            };
            PrintResult(result);
            return 0;
        }

        public static async Task<int> FanoutAsync(Options o, bool sim)
        {
            var started = Stopwatch.StartNew();
            int connections = o.Int("connections", 100);
            int subscriptions = o.Int("subscriptions", 1);
            int topicCount = o.Int("topics", 1);
            double duration = o.Double("duration", 10);
            double warmup = o.Double("warmup", 2);
            var servers = Servers(o);
            SimSource? source = null;
            bool caughtUp = true;
            double? catchUpSeconds = null;
            try
            {
                IReadOnlyList<string> mints;
                double simRate = o.Double("sim-rate", 100);
                if (sim)
                {
                    source = await SimSource.StartAsync(o.Int("sim-mints", topicCount), simRate, o.Int("sim-rpc-port", 0), o.Int("sim-ws-port", 0), o.Int("seed", 1), o.Int("sim-slot-ms", 400));
                    source.Prime(Math.Min(topicCount, o.Int("sim-mints", topicCount)), 500_000, TimeSpan.FromSeconds(60));
                    mints = source.Mints;
                    if (o.Text("mints-out") is { } mintsOut)
                    {
                        await File.WriteAllLinesAsync(mintsOut, mints);
                    }
                    Console.WriteLine($"SIM_RPC {source.RpcUri}");
                    Console.WriteLine($"SIM_WS {source.WsUri}");
                    Console.WriteLine($"SIM_READY mints={mints.Count}");
                    var catchUp = Stopwatch.StartNew();
                    foreach (var server in servers)
                    {
                        await WaitForServerAsync(server, TimeSpan.FromSeconds(o.Int("server-wait", 120)));
                    }
                    // The server starts by backfilling the primed history. The scenarios measure the steady state, so
                    // the clients connect once it reports caught up; --connect-during-catch-up measures a restart
                    // under load instead (the clients' connection storm and the backfill at once).
                    if (!o.Flag("connect-during-catch-up"))
                    {
                        foreach (var server in servers)
                        {
                            caughtUp &= await WaitForCaughtUpAsync(server, TimeSpan.FromSeconds(o.Int("catch-up-wait", 300)));
                        }
                        catchUpSeconds = catchUp.Elapsed.TotalSeconds;
                        Console.WriteLine($"SERVER_CAUGHT_UP {caughtUp} after {catchUpSeconds:F1} s");
                    }
                }
                else
                {
                    mints = ReadMints(o.Text("mints") ?? throw new ArgumentException("--mints (or --sim) is required"));
                }
                var topics = Topics(mints, o.Text("intervals", "s1"), topicCount);
                using var fleet = NewFleet(o);
                fleet.CapturePath = o.Text("capture");
                int stalledRequested = o.Int("stalled", 0);
                fleet.StallEvery = stalledRequested > 0 ? Math.Max(1, connections / stalledRequested) : 0;
                int connected = await fleet.ConnectAsync(connections, o.Int("parallel", 64), TimeSpan.FromSeconds(o.Int("connect-timeout", 120)));
                fleet.Subscribe(topics, subscriptions);
                long expectedConfirms = (long)connected * subscriptions;
                long confirmed = await Fleet.WaitConfirmedAsync(expectedConfirms, TimeSpan.FromSeconds(o.Int("confirm-timeout", 120)));
                int stalled = fleet.StallSlowConsumers();

                using var stop = new CancellationTokenSource();
                var cpu0 = Process.GetCurrentProcess().TotalProcessorTime;
                Task producer = Task.CompletedTask;
                var control = o.Text("control");
                using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
                if (source is not null)
                {
                    fleet.Emissions = source.Emissions;
                    producer = source.RunAsync(() => fleet.Measuring, stop.Token);
                }
                else if (control is not null)
                {
                    string rate = o.Double("rate", 100).ToString(CultureInfo.InvariantCulture);
                    string seconds = (warmup + duration + 5).ToString(CultureInfo.InvariantCulture);
                    using var response = await http.PostAsync(new Uri($"{control}/start?rate={rate}&seconds={seconds}"), null);
                    response.EnsureSuccessStatusCode();
                }
                await KeepAliveDelayAsync(fleet, warmup);
                long framesBefore = Stats.KlineFrames.Value;
                var window = Stopwatch.StartNew();
                var cpuWindow0 = Process.GetCurrentProcess().TotalProcessorTime;
                // The load generator's own collector: its pauses stop the simulator and the clients alike.
                var gcPause0 = GC.GetTotalPauseDuration();
                int gen0Before = GC.CollectionCount(0), gen1Before = GC.CollectionCount(1), gen2Before = GC.CollectionCount(2);
                fleet.Measuring = true;
                Console.WriteLine("WINDOW_START");
                await KeepAliveDelayAsync(fleet, duration);
                fleet.Measuring = false;
                Console.WriteLine("WINDOW_END");
                double windowSeconds = window.Elapsed.TotalSeconds;
                var cpuWindow = Process.GetCurrentProcess().TotalProcessorTime - cpuWindow0;
                var gcPause = GC.GetTotalPauseDuration() - gcPause0;
                int gen0InWindow = GC.CollectionCount(0) - gen0Before, gen1InWindow = GC.CollectionCount(1) - gen1Before;
                int gen2InWindow = GC.CollectionCount(2) - gen2Before;
                long framesInWindow = Stats.KlineFrames.Value - framesBefore;
                await stop.CancelAsync();
                await producer;
                fleet.ResolvePending();
                JsonElement? peer = null;
                if (control is not null)
                {
                    try
                    {
                        using var response = await http.PostAsync(new Uri($"{control}/stop"), null);
                        peer = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
                    }
                    catch (Exception e) when (e is HttpRequestException or TaskCanceledException or JsonException)
                    {
                        // A peer buried under its own backlog may not answer its control route in time; what the
                        // clients received is the measurement, so it is still reported.
                        Console.Error.WriteLine("peer stop request failed: " + e.Message);
                    }
                }
                var result = new Dictionary<string, object>
                {
                    ["verb"] = sim ? "e2e" : "fanout",
                    ["connections_requested"] = connections,
                    ["connected"] = connected,
                    ["open_at_end"] = fleet.OpenConnections(),
                    ["connections_without_frames"] = fleet.ConnectionsWithoutFrames(),
                    ["subscriptions_confirmed"] = confirmed,
                    ["subscriptions_expected"] = expectedConfirms,
                    ["topics"] = topics.Count,
                    ["window_s"] = Math.Round(windowSeconds, 2),
                    ["frames_in_window"] = framesInWindow,
                    ["frames_per_s"] = Math.Round(framesInWindow / windowSeconds),
                    ["final_frames_in_window"] = Stats.FinalFramesInWindow.Value,
                    ["push_latency"] = fleet.PushLatency.Summary(),
                    ["loadgen_cpu_s_window"] = Math.Round(cpuWindow.TotalSeconds, 2),
                    ["loadgen_cpu_pct_window"] = Math.Round(100 * cpuWindow.TotalSeconds / windowSeconds, 1),
                    ["loadgen_gc_pause_ms_window"] = Math.Round(gcPause.TotalMilliseconds, 1),
                    ["loadgen_gen0_in_window"] = gen0InWindow,
                    ["loadgen_gen1_in_window"] = gen1InWindow,
                    ["loadgen_gen2_in_window"] = gen2InWindow,
                    ["loadgen_cpu_s_total"] = Math.Round((Process.GetCurrentProcess().TotalProcessorTime - cpu0).TotalSeconds, 2),
                    ["connect_failures"] = Stats.ConnectFailures.Value,
                    ["server_closes"] = Stats.ServerCloses.Value,
                    ["protocol_errors"] = Stats.ProtocolErrors.Value,
                    ["error_messages"] = Stats.ErrorMessages.Value,
                    ["elapsed_s"] = Math.Round(started.Elapsed.TotalSeconds, 1),
                };
                if (stalled > 0)
                {
                    // The slow consumers receive nothing in the window by design; the figures above are the others'.
                    result["stalled"] = stalled;
                }
                if (source is not null)
                {
                    result["sim_rate"] = simRate;
                    result["sim_trades_total"] = source.Trades;
                    result["e2e_latency"] = fleet.EmissionLatency.Summary();
                    result["e2e_from_tick_latency"] = fleet.TickLatency.Summary();
                    result["sim_produce_latency"] = source.ProduceLatency.Summary();
                    result["sim_send_latency"] = source.SendLatency.Summary();
                    result["unmatched_states"] = Stats.UnmatchedStates.Value;
                    result["server_caught_up_before_connect"] = catchUpSeconds is not null && caughtUp;
                    if (catchUpSeconds is { } s)
                    {
                        result["server_catch_up_s"] = Math.Round(s, 1);
                    }
                    result["candle_states_emitted_in_window"] = source.StatesInWindow;
                }
                if (peer is { } p)
                {
                    result["peer"] = p;
                    if (p.TryGetProperty("deliveries", out var d) && d.GetInt64() > 0)
                    {
                        result["peer_deliveries"] = d.GetInt64();
                    }
                }
                PrintResult(result);
                return 0;
            }
            finally
            {
                if (source is not null)
                {
                    await source.DisposeAsync();
                }
            }
        }

        private static async Task KeepAliveDelayAsync(Fleet fleet, double seconds)
        {
            var until = DateTime.UtcNow + TimeSpan.FromSeconds(seconds);
            while (DateTime.UtcNow < until)
            {
                var left = until - DateTime.UtcNow;
                await Task.Delay(left < TimeSpan.FromSeconds(10) ? (left > TimeSpan.Zero ? left : TimeSpan.Zero) : TimeSpan.FromSeconds(10));
                fleet.KeepAlive();
            }
        }

        private static async Task WaitForServerAsync(Uri server, TimeSpan timeout)
        {
            var until = DateTime.UtcNow + timeout;
            while (true)
            {
                try
                {
                    using var probe = new TcpClient();
                    await probe.ConnectAsync(server.Host, server.Port);
                    return;
                }
                catch (SocketException) when (DateTime.UtcNow < until)
                {
                    await Task.Delay(250);
                }
            }
        }

        /// <summary>Polls the server's <c>/health</c> until it reports healthy (caught up with the chain); false on timeout.</summary>
        private static async Task<bool> WaitForCaughtUpAsync(Uri server, TimeSpan timeout)
        {
            var health = new UriBuilder(server) { Scheme = server.Scheme == "wss" ? "https" : "http", Path = "/health", Query = "" }.Uri;
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
            var until = DateTime.UtcNow + timeout;
            while (DateTime.UtcNow < until)
            {
                try
                {
                    using var response = await http.GetAsync(health);
                    using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
                    if (body.RootElement.TryGetProperty("status", out var status) && status.GetString() == "healthy")
                    {
                        return true;
                    }
                }
                catch (Exception e) when (e is HttpRequestException or TaskCanceledException or JsonException)
                {
                    // Not answering yet (or busy): asked again below.
                }
                await Task.Delay(200);
            }
            Console.Error.WriteLine($"{health} did not report healthy within {timeout.TotalSeconds} s; connecting anyway");
            return false;
        }

        private static Fleet NewFleet(Options o)
        {
            var protocol = o.Text("protocol", "spinpet") switch
            {
                "spinpet" => WireProtocol.SpinPet,
                "signalr" => WireProtocol.SignalR,
                var other => throw new ArgumentException($"unknown --protocol {other}"),
            };
            return new Fleet(Servers(o), protocol, o.Int("per-address", 900));
        }

        private static List<Uri> Servers(Options o) =>
            [.. (o.Text("server") ?? throw new ArgumentException("--server is required"))
                .Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .Select(static url => new Uri(url))];

        public static int Print(Dictionary<string, object> result)
        {
            PrintResult(result);
            return 0;
        }

        public static List<string> ReadMints(string value) =>
            File.Exists(value)
                ? [.. File.ReadAllLines(value).Select(static l => l.Trim()).Where(static l => l.Length > 0)]
                : [.. value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)];

        /// <summary>The first <paramref name="count"/> mints × the intervals.</summary>
        private static List<(string Mint, string Interval)> Topics(IReadOnlyList<string> mints, string intervals, int count)
        {
            var names = intervals.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            var topics = mints.Take(count).SelectMany(m => names.Select(i => (m, i))).ToList();
            if (topics.Count == 0)
            {
                throw new ArgumentException("no topics: give at least one mint and one interval");
            }
            return topics;
        }

        private static void PrintResult(Dictionary<string, object> result) =>
            Console.WriteLine("RESULT " + JsonSerializer.Serialize(result));
    }
}
