using System.Diagnostics;
using System.Net.Http.Json;
using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.RegularExpressions;
using SpinPet.TestSupport;

namespace SpinPet.EndToEnd.Tests.Harness;

/// <summary>
/// The real server as a child process (the built SpinPet.Server.dll), configured through SPIN_ environment
/// variables like an operator would, on an ephemeral loopback port. It can be killed (SIGKILL, no clean-up at
/// all) or stopped (SIGTERM, graceful), and started again on the same storage folder.
/// </summary>
internal sealed partial class ServerProcess : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);

    /// <summary>The REST rate and burst every test server gets unless the test sets its own: no limit in practice.</summary>
    public const string TestRestRate = "1000000";

    private readonly Process _process;
    private readonly ChildProcessOutput _output;

    private ServerProcess(Process process) =>
        (_process, _output) = (process, new ChildProcessOutput(process, "the server", ListeningLine()));

    public Uri BaseUri { get; private set; } = null!;

    public HttpClient Http { get; } = new() { Timeout = TimeSpan.FromSeconds(30) };

    public int ExitCode => _process.ExitCode;

    /// <summary>The process id (for signals a test sends itself, e.g. SIGSTOP).</summary>
    public int Pid => _process.Id;

    public bool HasExited => _process.HasExited;

    /// <summary>Everything the server printed so far (for assertions on logs and for failure messages).</summary>
    public string Output => _output.Text;

    public static Task<ServerProcess> StartAsync(IReadOnlyDictionary<string, string> settings, params string[] args) =>
        StartAsync(BuiltServerDll, RepoPaths.Root, settings, args);

    /// <summary>Starts another build of the server (e.g. a <c>dotnet publish</c> output) from <paramref name="workingDirectory"/>.</summary>
    public static async Task<ServerProcess> StartAsync(string dll, string workingDirectory, IReadOnlyDictionary<string, string> settings, params string[] args)
    {
        var server = Launch(dll, workingDirectory, settings, args);
        server.BaseUri = await server._output.Listening.WaitAsync(StartTimeout);
        server.Http.BaseAddress = server.BaseUri;
        return server;
    }

    /// <summary>
    /// Starts the server with its standard output connected to a pipe nobody reads (a stalled log collector): once the
    /// pipe's buffer is full, every write to it would block. Its port is chosen here, since the line that announces it
    /// is never read; standard error is still read.
    /// </summary>
    public static async Task<ServerProcess> StartWithStdoutUnreadAsync(IReadOnlyDictionary<string, string> settings)
    {
        int port = LoopbackPorts.Free();
        var withPort = new Dictionary<string, string>(settings) { ["SPIN_SERVER__PORT"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture) };
        var server = Launch(BuiltServerDll, RepoPaths.Root, withPort, [], readStdout: false);
        server.BaseUri = new Uri($"http://127.0.0.1:{port}/");
        server.Http.BaseAddress = server.BaseUri;
        await Eventually.TrueAsync(async () =>
        {
            if (server.HasExited)
            {
                throw new InvalidOperationException("the server exited:\n" + server.Output);
            }
            try
            {
                using var health = await server.Http.GetAsync("/health");
                return true;
            }
            catch (HttpRequestException)
            {
                return false;
            }
        }, StartTimeout, "the server answers on its port");
        return server;
    }

    /// <summary>Runs a command verb of the server (e.g. <c>--rebuild-candles</c>) and waits for it to exit.</summary>
    public static async Task<ServerProcess> RunToExitAsync(IReadOnlyDictionary<string, string> settings, params string[] args)
    {
        var server = Launch(BuiltServerDll, RepoPaths.Root, settings, args);
        await server._process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(5));
        // Exited is raised after the last line of output has been read.
        server._process.WaitForExit();
        return server;
    }

    private static string BuiltServerDll => Path.Combine(AppContext.BaseDirectory, "SpinPet.Server.dll");

    private static ServerProcess Launch(string dll, string workingDirectory, IReadOnlyDictionary<string, string> settings, string[] args, bool readStdout = true)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(dll);
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }
        // The server refuses SPIN_ variables it does not know, and a developer's shell may hold some (e.g.
        // SPIN_UPDATE_SCREENSHOTS for the chart tests): the server sees only what the test sets.
        foreach (var name in info.Environment.Keys.Where(k => k.StartsWith("SPIN_", StringComparison.OrdinalIgnoreCase)).ToList())
        {
            info.Environment.Remove(name);
        }
        info.Environment["SPIN_SERVER__HOST"] = "127.0.0.1";
        info.Environment["SPIN_SERVER__PORT"] = "0";
        info.Environment["SPIN_LOGGING__LEVEL"] = "info";
        // Tests poll REST in tight loops and open many sockets from one address; the per-address rate limit (50/s,
        // bursts of 200) is not what they test. Tests of the limit set their own values (settings win).
        info.Environment["SPIN_REST__MAX_REQUESTS_PER_SECOND"] = TestRestRate;
        info.Environment["SPIN_REST__BURST"] = TestRestRate;
        foreach (var (key, value) in settings)
        {
            info.Environment[key] = value;
        }
        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        var server = new ServerProcess(process);
        process.Start();
        if (readStdout)
        {
            process.BeginOutputReadLine();
        }
        process.BeginErrorReadLine();
        return server;
    }

    /// <summary>Settings that point the server at a simulator and a storage folder.</summary>
    public static Dictionary<string, string> SettingsFor(Uri rpc, Uri ws, string database) => new()
    {
        ["SPIN_SOLANA__RPC_URL"] = rpc.ToString(),
        ["SPIN_SOLANA__WS_URL"] = ws.ToString(),
        ["SPIN_DATABASE__ROCKSDB_PATH"] = database,
        // Tests inject outages: detect a dead socket within 3 s instead of 30.
        ["SPIN_SOLANA__WS_IDLE_TIMEOUT_MS"] = "3000",
        ["SPIN_SOLANA__RPC_TIMEOUT_MS"] = "3000",
    };

    public async Task<JsonElement> GetStatusAsync()
    {
        var envelope = await Http.GetFromJsonAsync<JsonElement>("/api/events/status");
        return envelope.GetProperty("data");
    }

    /// <summary>Waits until the stored checkpoint is <paramref name="signature"/> (the chain's newest transaction).</summary>
    public Task WaitForCheckpointAsync(string signature, TimeSpan timeout) =>
        Eventually.TrueAsync(async () =>
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException("the server exited:\n" + Output);
            }
            var status = await GetStatusAsync();
            return status.GetProperty("last_processed_signature").GetString() == signature;
        }, timeout, $"checkpoint = {signature}");

    /// <summary>SIGKILL: the process dies at once, mid-write if it was writing.</summary>
    public async Task KillAsync()
    {
        _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
    }

    /// <summary>SIGTERM, as an orchestrator stops a container; waits for the graceful exit.</summary>
    public async Task StopAsync(TimeSpan? timeout = null)
    {
        if (_process.HasExited)
        {
            return;
        }
        _ = SendSignal(_process.Id, Sigterm);
        await _process.WaitForExitAsync().WaitAsync(timeout ?? TimeSpan.FromSeconds(30));
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            await KillAsync();
        }
        _process.Dispose();
        Http.Dispose();
    }

    private const int Sigterm = 15;

    [GeneratedRegex(@"Now listening on: (http://\S+)")]
    private static partial Regex ListeningLine();

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int SendSignal(int pid, int signal);
}
