using System.Diagnostics;
using System.Text.RegularExpressions;

namespace SpinPet.EndToEnd.Tests.Harness;

/// <summary>
/// What a child process prints (stdout and stderr, line by line, kept for assertions and failure messages) and the
/// address it announces in a "listening" line; a process that exits first fails <see cref="Listening"/>.
/// </summary>
internal sealed class ChildProcessOutput
{
    private readonly Regex _listeningLine;
    private readonly TaskCompletionSource<Uri> _listening = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly List<string> _lines = [];

    /// <summary>Reads <paramref name="process"/>'s output (before it starts); <paramref name="name"/> goes into the failure.</summary>
    public ChildProcessOutput(Process process, string name, Regex listeningLine)
    {
        _listeningLine = listeningLine;
        process.OutputDataReceived += (_, e) => OnLine(e.Data);
        process.ErrorDataReceived += (_, e) => OnLine(e.Data);
        process.Exited += (_, _) => _listening.TrySetException(new InvalidOperationException($"{name} exited before listening:\n" + Text));
    }

    /// <summary>The address of the first line matching the listening pattern (its first group).</summary>
    public Task<Uri> Listening => _listening.Task;

    /// <summary>Everything printed so far.</summary>
    public string Text
    {
        get
        {
            lock (_lines)
            {
                return string.Join('\n', _lines);
            }
        }
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
        var match = _listeningLine.Match(line);
        if (match.Success)
        {
            _listening.TrySetResult(new Uri(match.Groups[1].Value));
        }
    }
}
