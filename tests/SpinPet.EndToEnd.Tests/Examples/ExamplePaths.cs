using SpinPet.TestSupport;

namespace SpinPet.EndToEnd.Tests.Examples;

/// <summary>Where the example clients live, and a clear failure when one is not ready to run.</summary>
internal static class ExamplePaths
{
    public static string JsFolder => Path.Combine(RepoPaths.Root, "examples", "js");

    public static string Js(string script) => Path.Combine(JsFolder, script);

    /// <summary>The node examples need the <c>ws</c> package; test.sh installs it, a bare <c>dotnet test</c> does not.</summary>
    public static void RequireNodeModules()
    {
        if (!File.Exists(Path.Combine(JsFolder, "node_modules", "ws", "package.json")))
        {
            Assert.Fail("examples/js/node_modules is missing: run `npm ci --prefix examples/js` (./test.sh does it) before the tests.");
        }
    }

    /// <summary>
    /// The C# client's dll, built by MSBuild before this project (a ProjectReference that references no assembly) in
    /// the same configuration as this test project: bin/&lt;Configuration&gt;/net10.0 of either.
    /// </summary>
    public static string KlineClientDll()
    {
        var framework = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        string configuration = framework.Parent?.Name ?? throw new InvalidOperationException("no configuration folder above " + framework.FullName);
        var dll = Path.Combine(RepoPaths.Root, "examples", "csharp", "SpinPet.KlineClient", "bin", configuration, framework.Name, "SpinPet.KlineClient.dll");
        Assert.True(File.Exists(dll), $"{dll} is missing: build the solution (or this test project, which builds the example first).");
        return dll;
    }
}
