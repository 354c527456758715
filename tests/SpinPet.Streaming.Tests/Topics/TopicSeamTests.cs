using System.Text.RegularExpressions;
using SpinPet.TestSupport;

namespace SpinPet.Streaming.Tests.Topics;

/// <summary>
/// The fan-out's side of the sink seam, read from the sources: topics hand shared frames to
/// <c>TopicSubscription</c>s and know no session, outbox, socket or compression, so sessions may use topics but never
/// the other way round (docs/architecture.md, "Push").
/// </summary>
public sealed partial class TopicSeamTests
{
    private static readonly string Streaming = Path.Combine(RepoPaths.Root, "src", "SpinPet.Streaming");

    [Fact]
    public void Topics_name_no_type_of_the_sessions()
    {
        HashSet<string> sessionTypes =
        [
            .. Directory.EnumerateFiles(Path.Combine(Streaming, "Sessions"), "*.cs")
                .SelectMany(path => Declaration().Matches(File.ReadAllText(path)).Select(m => m.Groups["name"].Value)),
        ];
        Assert.Contains("ClientSession", sessionTypes);

        string[] uses =
        [
            .. TopicCodeLines()
                .SelectMany(line => Identifier().Matches(line.Text).Select(m => (line.Where, Name: m.Value)))
                .Where(use => use.Name == "Sessions" || sessionTypes.Contains(use.Name))
                .Select(use => $"{use.Where}: {use.Name}"),
        ];

        Assert.True(uses.Length == 0, "the topics use the sessions:\n" + string.Join("\n", uses));
    }

    [Fact]
    public void Topics_know_no_transport_and_no_compression()
    {
        string[] uses =
        [
            .. TopicCodeLines()
                .Where(line => line.Text.Contains("WebSockets", StringComparison.Ordinal)
                    || line.Text.Contains("Deflate", StringComparison.OrdinalIgnoreCase)
                    || line.Text.Contains("Compress", StringComparison.OrdinalIgnoreCase))
                .Select(line => $"{line.Where}: {line.Text.Trim()}"),
        ];

        Assert.True(uses.Length == 0, "the topic model knows the transport:\n" + string.Join("\n", uses));
    }

    /// <summary>Every line of code (comments left out) of the topic model, with its file and line number.</summary>
    private static IEnumerable<(string Where, string Text)> TopicCodeLines() =>
        Directory.EnumerateFiles(Path.Combine(Streaming, "Topics"), "*.cs")
            .SelectMany(path => File.ReadAllLines(path).Select((text, i) => ($"{Path.GetFileName(path)}:{i + 1}", text)))
            .Where(line => !line.Item2.TrimStart().StartsWith("//", StringComparison.Ordinal));

    [GeneratedRegex(@"\b(?:class|record|struct|enum|interface)\s+(?<name>\w+)")]
    private static partial Regex Declaration();

    [GeneratedRegex(@"\b[A-Za-z_]\w*\b")]
    private static partial Regex Identifier();
}
