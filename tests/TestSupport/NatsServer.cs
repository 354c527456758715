using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
namespace SpinPet.TestSupport;

/// <summary>
/// A real nats-server with JetStream on a free loopback port and a temp store folder, started and stopped by its PID
/// (never by name). It can be stopped (gracefully or with SIGKILL) and started again on the same port and store.
/// The binary is <c>$NATS_SERVER</c>, else <c>nats-server</c> on the PATH or in /usr/sbin (Debian's package). Used by
/// the cluster unit tests and the end-to-end cluster (one launcher for both).
/// </summary>
internal sealed class NatsServer : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(20);

    private readonly TempFolder _folder = new("spinpet-nats");
    private Process? _process;

    private NatsServer(int port)
    {
        Port = port;
    }

    public int Port { get; }

    public string Url => $"nats://127.0.0.1:{Port}";

    public int? Pid => _process?.HasExited == false ? _process.Id : null;

    public static async Task<NatsServer> StartAsync()
    {
        var server = new NatsServer(LoopbackPorts.Free());
        await server.StartAgainAsync();
        return server;
    }

    /// <summary>Starts the server (again) on its port and store folder; returns once it accepts connections.</summary>
    public async Task StartAgainAsync()
    {
        if (Pid is not null)
        {
            throw new InvalidOperationException("The server is running.");
        }
        // Its log goes to a file (-l): nothing is written to the redirected-nowhere standard streams.
        var start = new ProcessStartInfo(Binary()) { UseShellExecute = false };
        foreach (var arg in new[] { "-a", "127.0.0.1", "-p", Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "-js", "-sd", Path.Combine(_folder.Path, "js"), "-l", Path.Combine(_folder.Path, "nats-server.log") })
        {
            start.ArgumentList.Add(arg);
        }
        _process = Process.Start(start) ?? throw new InvalidOperationException("nats-server did not start.");
        var clock = Stopwatch.StartNew();
        while (!await AcceptsAsync())
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"nats-server exited with {_process.ExitCode}: {File.ReadAllText(Path.Combine(_folder.Path, "nats-server.log"))}");
            }
            if (clock.Elapsed > StartTimeout)
            {
                throw new TimeoutException($"nats-server on port {Port} did not accept connections within {StartTimeout.TotalSeconds} s.");
            }
            await Task.Delay(20);
        }
    }

    /// <summary>Stops the server: SIGKILL when <paramref name="kill"/>, else SIGTERM; returns once it has exited.</summary>
    public async Task StopAsync(bool kill = false)
    {
        if (_process is not { HasExited: false } process)
        {
            return;
        }
        if (kill)
        {
            process.Kill();
        }
        else
        {
            using var term = Process.Start("kill", ["-TERM", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
            await term.WaitForExitAsync();
        }
        using var timeout = new CancellationTokenSource(StartTimeout);
        await process.WaitForExitAsync(timeout.Token);
        process.Dispose();
        _process = null;
    }

    /// <summary>The last <paramref name="lines"/> lines of the server's log (for failure messages).</summary>
    public string LogTail(int lines)
    {
        var log = Path.Combine(_folder.Path, "nats-server.log");
        return File.Exists(log) ? string.Join('\n', File.ReadLines(log).TakeLast(lines)) : "(no log)";
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync(kill: true);
        _folder.Dispose();
    }

    private async Task<bool> AcceptsAsync()
    {
        using var client = new TcpClient();
        try
        {
            await client.ConnectAsync(IPAddress.Loopback, Port);
            // The server greets with INFO as soon as it serves clients.
            var buffer = new byte[4];
            using var read = new CancellationTokenSource(TimeSpan.FromSeconds(2));
            int n = await client.GetStream().ReadAsync(buffer, read.Token);
            return n == 4 && buffer.AsSpan().SequenceEqual("INFO"u8);
        }
        catch (Exception e) when (e is SocketException or IOException or OperationCanceledException)
        {
            return false;
        }
    }

    private static string Binary()
    {
        if (Environment.GetEnvironmentVariable("NATS_SERVER") is { Length: > 0 } configured)
        {
            return configured;
        }
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Append("/usr/sbin").Append("/usr/local/bin"))
        {
            var candidate = Path.Combine(dir, "nats-server");
            if (dir.Length > 0 && File.Exists(candidate))
            {
                return candidate;
            }
        }
        throw new InvalidOperationException("nats-server not found: install Debian's nats-server (apt-get install nats-server) or set NATS_SERVER.");
    }
}
