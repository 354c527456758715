using System.Diagnostics;

namespace SpinPet.EndToEnd.Tests.Examples;

/// <summary>Runs a program to its exit with a deadline, collecting stdout and stderr interleaved as they arrive.</summary>
internal sealed class ChildProcess
{
    private readonly List<string> _output = [];

    private ChildProcess(int exitCode, bool timedOut) => (ExitCode, TimedOut) = (exitCode, timedOut);

    public int ExitCode { get; private set; }

    /// <summary>The program was still running at the deadline and was killed.</summary>
    public bool TimedOut { get; private set; }

    public string Output
    {
        get
        {
            lock (_output)
            {
                return string.Join('\n', _output);
            }
        }
    }

    public static async Task<ChildProcess> RunAsync(string program, IEnumerable<string> args, IReadOnlyDictionary<string, string> environment,
        TimeSpan deadline)
    {
        var info = new ProcessStartInfo(program)
        {
            WorkingDirectory = SpinPet.TestSupport.RepoPaths.Root,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }
        foreach (var (key, value) in environment)
        {
            info.Environment[key] = value;
        }
        var run = new ChildProcess(-1, timedOut: false);
        using var process = new Process { StartInfo = info };
        process.OutputDataReceived += (_, e) => run.OnLine(e.Data);
        process.ErrorDataReceived += (_, e) => run.OnLine(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await process.WaitForExitAsync().WaitAsync(deadline);
        }
        catch (TimeoutException)
        {
            run.TimedOut = true;
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
        // The parameterless wait returns once the redirected streams reached their end: the output is complete.
        process.WaitForExit();
        run.ExitCode = process.ExitCode;
        return run;
    }

    public string Describe(string what) =>
        $"{what} {(TimedOut ? "timed out and was killed" : $"exited with {ExitCode}")}; its output:\n{Output}";

    private void OnLine(string? line)
    {
        if (line is null)
        {
            return;
        }
        lock (_output)
        {
            _output.Add(line);
        }
    }
}
