using System.Diagnostics;
using SpinPet.TestSupport;

namespace SpinPet.SocketIO.Tests.Node;

/// <summary>
/// Runs one scenario of <c>tests/socketio-client/scenario.js</c> (the real socket.io-client) against a base URL and
/// returns its exit code and output; the script gives up on its own after 20 s, and is killed at 60 s.
/// </summary>
internal sealed record NodeScenario(int ExitCode, bool TimedOut, string Output)
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    public static string Folder => Path.Combine(RepoPaths.Root, "tests", "socketio-client");

    public bool Passed => ExitCode == 0 && !TimedOut;

    public static async Task<NodeScenario> RunAsync(string scenario, string baseUrl, IReadOnlyDictionary<string, string>? environment = null)
    {
        if (!File.Exists(Path.Combine(Folder, "node_modules", "socket.io-client", "package.json")))
        {
            Assert.Fail("tests/socketio-client/node_modules is missing: run `npm ci --prefix tests/socketio-client` (./test.sh does it) before the tests.");
        }
        var info = new ProcessStartInfo("node")
        {
            WorkingDirectory = Folder,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add("scenario.js");
        info.ArgumentList.Add(scenario);
        info.ArgumentList.Add(baseUrl);
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[key] = value;
        }
        var lines = new List<string>();
        using var process = new Process { StartInfo = info };
        process.OutputDataReceived += (_, e) => Add(lines, e.Data);
        process.ErrorDataReceived += (_, e) => Add(lines, e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        bool timedOut = false;
        try
        {
            await process.WaitForExitAsync().WaitAsync(Deadline);
        }
        catch (TimeoutException)
        {
            timedOut = true;
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
        // The parameterless wait returns once the redirected streams reached their end: the output is complete.
        process.WaitForExit();
        lock (lines)
        {
            return new NodeScenario(process.ExitCode, timedOut, string.Join('\n', lines));
        }
    }

    public string Describe() => $"node scenario.js {(TimedOut ? "timed out" : $"exited with {ExitCode}")}; its output:\n{Output}";

    private static void Add(List<string> lines, string? line)
    {
        if (line is not null)
        {
            lock (lines)
            {
                lines.Add(line);
            }
        }
    }
}
