using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

namespace SpinPet.EndToEnd.Tests.Cluster;

/// <summary>
/// Debian's <c>nats-server</c> (2.9.10 in bookworm; <c>.ci/run</c> installs it) as a child process: JetStream on, its
/// store in a folder the caller owns, on loopback, on a port it picks itself (<c>-p -1</c>) the first time and the same
/// port again after a kill, so the nodes' configured URL stays valid. Killed by its PID (SIGKILL: what a crash leaves).
/// </summary>
internal sealed partial class NatsServerProcess : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(30);

    private readonly Process _process;
    private readonly List<string> _lines = [];
    private readonly TaskCompletionSource<int> _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private NatsServerProcess(Process process, string storeDirectory)
    {
        _process = process;
        StoreDirectory = storeDirectory;
        process.OutputDataReceived += (_, e) => OnLine(e.Data);
        process.ErrorDataReceived += (_, e) => OnLine(e.Data);
        process.Exited += (_, _) => _ready.TrySetException(new InvalidOperationException("nats-server exited before it was ready:\n" + Output));
    }

    public string StoreDirectory { get; }

    public int Port { get; private set; }

    /// <summary>The client URL, as <c>cluster.nats_url</c> takes it.</summary>
    public string Url => $"nats://127.0.0.1:{Port.ToString(CultureInfo.InvariantCulture)}";

    public string Output
    {
        get
        {
            lock (_lines)
            {
                return string.Join('\n', _lines);
            }
        }
    }

    /// <summary>
    /// <c>$NATS_SERVER</c> (as tests/SpinPet.Cluster.Tests takes it), else the executable on PATH, else where Debian puts
    /// it (/usr/sbin is not on every user's PATH).
    /// </summary>
    public static string Executable =>
        Candidates().FirstOrDefault(File.Exists)
        ?? throw new InvalidOperationException("nats-server is not installed: `apt-get install nats-server` (.ci/run does it) or set NATS_SERVER");

    private static IEnumerable<string> Candidates()
    {
        if (Environment.GetEnvironmentVariable("NATS_SERVER") is { Length: > 0 } configured)
        {
            yield return configured;
        }
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries))
        {
            yield return Path.Combine(dir, "nats-server");
        }
        yield return "/usr/sbin/nats-server";
    }

    /// <summary>Starts a server on <paramref name="storeDirectory"/>; <paramref name="port"/> -1 = any free port.</summary>
    public static async Task<NatsServerProcess> StartAsync(string storeDirectory, int port = -1)
    {
        var info = new ProcessStartInfo(Executable)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[] { "-a", "127.0.0.1", "-p", port.ToString(CultureInfo.InvariantCulture), "-js", "-sd", storeDirectory })
        {
            info.ArgumentList.Add(arg);
        }
        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        var server = new NatsServerProcess(process, storeDirectory);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            server.Port = await server._ready.Task.WaitAsync(StartTimeout);
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
        return server;
    }

    /// <summary>SIGKILL by PID: JetStream gets no chance to flush (acknowledged messages survive: spike item 2).</summary>
    public async Task KillAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
        }
        await _process.WaitForExitAsync();
    }

    /// <summary>A new server on the same store and port (after <see cref="KillAsync"/>).</summary>
    public Task<NatsServerProcess> RestartAsync() => StartAsync(StoreDirectory, Port);

    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        _process.Dispose();
    }

    private void OnLine(string? line)
    {
        if (line is null)
        {
            return;
        }
        lock (_lines)
        {
            _lines.Add(line);
        }
        // The client port is announced before "Server is ready", which follows JetStream's start.
        if (ListeningLine().Match(line) is { Success: true } listening)
        {
            Port = int.Parse(listening.Groups[1].Value, CultureInfo.InvariantCulture);
        }
        else if (line.EndsWith("Server is ready", StringComparison.Ordinal))
        {
            _ready.TrySetResult(Port);
        }
    }

    [GeneratedRegex(@"Listening for client connections on [^\s]+:(\d+)$")]
    private static partial Regex ListeningLine();
}
