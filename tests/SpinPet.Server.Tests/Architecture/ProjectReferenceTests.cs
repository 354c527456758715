using System.Xml.Linq;
using SpinPet.TestSupport;

namespace SpinPet.Server.Tests.Architecture;

/// <summary>
/// The project graph of docs/architecture.md, read from the csproj files on disk: a project under src/ that
/// references one it must not fails here, before the tangle can grow back (Streaming → Storage, Storage → Indexer,
/// anything but the host → the chain simulator). Each rule lists every project a project may reference directly;
/// since every project's list is closed, what it reaches through others is bounded too.
/// </summary>
public sealed class ProjectReferenceTests
{
    private const string Host = "SpinPet.Server";

    /// <summary>What each project under src/ may reference. A new project is added here with its reasons.</summary>
    private static readonly Dictionary<string, string[]> Allowed = new(StringComparer.Ordinal)
    {
        // Domain only, no I/O.
        ["SpinPet.Core"] = [],
        // RPC, PubSub, decoding and the ingest loop: knows nothing of storage, candles or sockets.
        ["SpinPet.Solana"] = ["SpinPet.Core"],
        // RocksDB and nothing else.
        ["SpinPet.Storage"] = ["SpinPet.Core"],
        // Applies batches: Core, the Solana ingest contracts (the batches it applies, the applied state), Storage.
        ["SpinPet.Indexer"] = ["SpinPet.Core", "SpinPet.Solana", "SpinPet.Storage"],
        // RFC 6455 transport: no domain, nothing of ours.
        ["SpinPet.WebSockets"] = [],
        // Topics and sessions: history comes through a narrow interface, never from Storage.
        ["SpinPet.Streaming"] = ["SpinPet.Core", "SpinPet.WebSockets"],
        // Engine.IO/Socket.IO transport: no domain.
        ["SpinPet.SocketIO"] = ["SpinPet.WebSockets"],
        // The JetStream batch stream and the ingest lease.
        ["SpinPet.Cluster"] = ["SpinPet.Core", "SpinPet.Indexer"],
        // The host composes everything, and only it may start the simulator (the demo mode).
        [Host] = ["SpinPet.Core", "SpinPet.Solana", "SpinPet.Storage", "SpinPet.Indexer", "SpinPet.WebSockets", "SpinPet.Streaming",
            "SpinPet.SocketIO", "SpinPet.Cluster", "SpinPet.ChainSimulator"],
    };

    /// <summary>Projects that must build without ASP.NET Core (the domain, the store, the indexer).</summary>
    private static readonly string[] WithoutAspNetCore = ["SpinPet.Core", "SpinPet.Storage", "SpinPet.Indexer"];

    [Fact]
    public void Every_project_under_src_has_a_rule()
    {
        string[] unknown = [.. SourceProjects().Select(p => p.Name).Where(name => !Allowed.ContainsKey(name))];

        Assert.True(unknown.Length == 0,
            $"no reference rule for {string.Join(", ", unknown)}: add it to {nameof(ProjectReferenceTests)}.{nameof(Allowed)} with the "
            + "projects it may reference, as docs/architecture.md's project graph draws them");
    }

    [Fact]
    public void Projects_under_src_reference_only_what_the_project_graph_allows()
    {
        var projects = SourceProjects();
        Assert.Contains(projects, p => p.Name == Host);

        List<string> violations = [];
        foreach (var project in projects.Where(p => Allowed.ContainsKey(p.Name)))
        {
            foreach (var reference in project.References.Where(r => !Allowed[project.Name].Contains(r.Name, StringComparer.Ordinal)))
            {
                string why = reference.Path.Contains($"{Path.DirectorySeparatorChar}tools{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                    ? $"only {Host} may reference a tool"
                    : $"it may reference {(Allowed[project.Name].Length == 0 ? "none of ours" : string.Join(", ", Allowed[project.Name]))}";
                violations.Add($"{project.Name} → {reference.Name}: {why}");
            }
        }

        Assert.True(violations.Count == 0, "forbidden project references:\n" + string.Join("\n", violations));
    }

    [Fact]
    public void The_domain_the_store_and_the_indexer_build_without_AspNetCore()
    {
        string[] offenders =
        [
            .. SourceProjects()
                .Where(p => WithoutAspNetCore.Contains(p.Name, StringComparer.Ordinal))
                .Where(p => p.Document.Descendants()
                    .Where(e => e.Name.LocalName is "FrameworkReference" or "PackageReference")
                    .Any(e => ((string?)e.Attribute("Include") ?? "").StartsWith("Microsoft.AspNetCore", StringComparison.Ordinal)))
                .Select(p => p.Name),
        ];

        Assert.True(offenders.Length == 0, $"ASP.NET Core referenced by {string.Join(", ", offenders)}; only the host and the transports may reference it");
    }

    private static List<ProjectFile> SourceProjects()
    {
        string src = Path.Combine(RepoPaths.Root, "src");
        return
        [
            .. Directory.EnumerateFiles(src, "*.csproj", SearchOption.AllDirectories)
                .Where(path => !path.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                    && !path.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
                .Order(StringComparer.Ordinal)
                .Select(ProjectFile.Load),
        ];
    }

    private sealed record ProjectFile(string Name, XDocument Document, IReadOnlyList<ProjectFile.Reference> References)
    {
        public static ProjectFile Load(string path)
        {
            var document = XDocument.Load(path);
            string folder = Path.GetDirectoryName(path)!;
            Reference[] references =
            [
                .. document.Descendants()
                    .Where(e => e.Name.LocalName == "ProjectReference")
                    .Select(e => (string?)e.Attribute("Include") ?? "")
                    .Select(include => Path.GetFullPath(Path.Combine(folder, include.Replace('\\', Path.DirectorySeparatorChar))))
                    .Select(full => new Reference(Path.GetFileNameWithoutExtension(full), full)),
            ];
            return new ProjectFile(Path.GetFileNameWithoutExtension(path), document, references);
        }

        public sealed record Reference(string Name, string Path);
    }
}
