using System.Runtime.InteropServices;
using SpinPet.EndToEnd.Tests.Harness;
using SpinPet.TestSupport;

namespace SpinPet.EndToEnd.Tests.Cluster;

/// <summary>
/// One SpinPet server process of a test cluster (<see cref="LocalCluster"/>): its name (<c>cluster.node_id</c>), its
/// role, and its own RocksDB folder, which outlives the process so that a killed node restarts on what it stored.
/// </summary>
internal sealed class ClusterNode : IAsyncDisposable
{
    // Linux x86-64 and arm64 signal numbers.
    private const int Sigcont = 18;
    private const int Sigstop = 19;

    private readonly Func<ClusterNode, Dictionary<string, string>> _settings;

    public ClusterNode(string name, string role, Func<ClusterNode, Dictionary<string, string>> settings)
    {
        Name = name;
        Role = role;
        _settings = settings;
    }

    public string Name { get; }

    /// <summary><c>cluster.role</c>: ingest or gateway.</summary>
    public string Role { get; }

    public TempFolder Database { get; } = new("spinpet-cluster");

    /// <summary>The running process; null while the node is down.</summary>
    public ServerProcess? Server { get; private set; }

    public ServerProcess Running => Server ?? throw new InvalidOperationException($"{Name} is not running");

    public async Task StartAsync()
    {
        if (Server is not null)
        {
            throw new InvalidOperationException($"{Name} is already running");
        }
        Server = await ServerProcess.StartAsync(_settings(this));
    }

    /// <summary>SIGKILL: no graceful stop, the lease is not released, RocksDB is not closed.</summary>
    public async Task KillAsync()
    {
        if (Server is { } server)
        {
            Server = null;
            await server.KillAsync();
            await server.DisposeAsync();
        }
    }

    /// <summary>SIGTERM and the graceful exit (its store can then be opened by the test).</summary>
    public async Task StopAsync()
    {
        if (Server is { } server)
        {
            Server = null;
            await server.StopAsync();
            Assert.True(server.ExitCode == 0, $"{Name} exited with {server.ExitCode}:\n{server.Output}");
            await server.DisposeAsync();
        }
    }

    /// <summary>
    /// SIGSTOP: the process stops where it is, its sockets stay open and nothing answers — to the others it looks like
    /// a partition or a long pause; <see cref="Resume"/> lets it go on from the same instruction.
    /// </summary>
    public void Pause() => Signal(Sigstop);

    /// <summary>SIGCONT after <see cref="Pause"/>.</summary>
    public void Resume() => Signal(Sigcont);

    private void Signal(int signal)
    {
        if (SendSignal(Running.Pid, signal) != 0)
        {
            throw new InvalidOperationException($"kill({Running.Pid}, {signal}) failed: errno {Marshal.GetLastPInvokeError()}");
        }
    }

    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        Database.Dispose();
    }

    public override string ToString() => $"{Name} ({Role})";

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int SendSignal(int pid, int signal);
}
