using System.Text.RegularExpressions;

namespace SpinPet.ChainSimulator.Tests.Support;

/// <summary>
/// An independent reading of events.md's log rules, to check the simulator's own bookkeeping: a stack of
/// invoked programs, <c>Program data:</c> lines of the configured program only when it is on top, nothing after
/// <c>Log truncated</c>.
/// </summary>
internal static partial class LogWalker
{
    public static List<byte[]> OwnPayloads(IReadOnlyList<string> logs, string programId)
    {
        var stack = new Stack<string>();
        var payloads = new List<byte[]>();
        foreach (string line in logs)
        {
            if (line == "Log truncated")
            {
                break;
            }
            var invoke = Invoke().Match(line);
            if (invoke.Success)
            {
                stack.Push(invoke.Groups[1].Value);
                continue;
            }
            var exit = Exit().Match(line);
            if (exit.Success)
            {
                Assert.Equal(stack.Pop(), exit.Groups[1].Value);
                continue;
            }
            if (line.StartsWith("Program data: ", StringComparison.Ordinal) && stack.Count > 0 && stack.Peek() == programId)
            {
                payloads.Add(Convert.FromBase64String(line["Program data: ".Length..]));
            }
        }
        return payloads;
    }

    public static int DepthOf(IReadOnlyList<string> logs, string programId) =>
        logs.Select(line => Invoke().Match(line)).Where(m => m.Success && m.Groups[1].Value == programId)
            .Select(m => int.Parse(m.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture)).DefaultIfEmpty(0).Max();

    /// <summary>Data lines written while another program is on top of the stack.</summary>
    public static int ForeignDataLines(IReadOnlyList<string> logs, string programId)
    {
        var stack = new Stack<string>();
        int count = 0;
        foreach (string line in logs)
        {
            var invoke = Invoke().Match(line);
            if (invoke.Success)
            {
                stack.Push(invoke.Groups[1].Value);
            }
            else if (Exit().IsMatch(line))
            {
                stack.Pop();
            }
            else if (line.StartsWith("Program data: ", StringComparison.Ordinal) && stack.Count > 0 && stack.Peek() != programId)
            {
                count++;
            }
        }
        return count;
    }

    [GeneratedRegex(@"^Program ([1-9A-HJ-NP-Za-km-z]{32,44}) invoke \[(\d+)\]$")]
    private static partial Regex Invoke();

    [GeneratedRegex(@"^Program ([1-9A-HJ-NP-Za-km-z]{32,44}) (?:success|failed: .*)$")]
    private static partial Regex Exit();
}
