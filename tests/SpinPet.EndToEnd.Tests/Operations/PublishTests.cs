using System.Diagnostics;
using System.Net;
using SpinPet.EndToEnd.Tests.Harness;
using SpinPet.TestSupport;

namespace SpinPet.EndToEnd.Tests.Operations;

/// <summary>
/// What CI can check instead of building the Docker image: the Dockerfile's <c>dotnet publish</c> output runs on
/// its own, from a folder that is not the repository, so config/default.toml and the chart page ship inside it and
/// the native RocksDB library loads from it.
/// </summary>
public sealed class PublishTests
{
    // A clean Release build of six projects: about a minute on a busy 2-core machine.
    private static readonly TimeSpan PublishDeadline = TimeSpan.FromMinutes(5);

    [Fact]
    public async Task Published_server_starts_from_a_clean_folder_and_reports_healthy()
    {
        using var work = new TempFolder("spinpet-publish");
        string app = Path.Combine(work.Path, "app");
        string cwd = Directory.CreateDirectory(Path.Combine(work.Path, "cwd")).FullName;

        // The Dockerfile's command. --artifacts-path keeps the build's bin/obj in the temp folder: the test neither
        // reads nor overwrites the checkout's build output (a clean build, as in the image's build stage).
        var (exitCode, output) = await RunAsync("dotnet",
            ["publish", Path.Combine(RepoPaths.Root, "src", "SpinPet.Server"), "-c", "Release", "-o", app,
             "--artifacts-path", Path.Combine(work.Path, "artifacts"), "--nologo"],
            PublishDeadline);
        Assert.True(exitCode == 0, $"dotnet publish exited with {exitCode}:\n{output}");
        Assert.True(File.Exists(Path.Combine(app, "config", "default.toml")), "config/default.toml is in the publish output");
        Assert.True(File.Exists(Path.Combine(app, "wwwroot", "vendor", "lightweight-charts.mjs")), "the chart page's chart library is in the publish output");

        await using var server = await ServerProcess.StartAsync(Path.Combine(app, "SpinPet.Server.dll"), cwd, new Dictionary<string, string>
        {
            ["SPIN_DATABASE__ROCKSDB_PATH"] = Path.Combine(work.Path, "data", "rocksdb"),
            ["SPIN_SERVER__HOST"] = "127.0.0.1",
            ["SPIN_SERVER__PORT"] = "0",
            ["SPIN_SOLANA__ENABLE_EVENT_LISTENER"] = "false",
        });
        using var health = await server.Http.GetAsync("/health", TestContext.Current.CancellationToken);
        string body = await health.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.True(health.StatusCode == HttpStatusCode.OK, $"/health answered {(int)health.StatusCode}: {body}\n{server.Output}");
        Assert.Contains("\"status\":\"healthy\"", body, StringComparison.Ordinal);
        // The chart page comes from wwwroot beside the dll, not from the working directory.
        string page = await server.Http.GetStringAsync("/", TestContext.Current.CancellationToken);
        Assert.Contains("<script type=\"module\" src=\"app.js\">", page, StringComparison.Ordinal);
        // Nothing was read from or written to the repository: the store went where it was told, the cwd stayed empty.
        Assert.True(Directory.EnumerateFiles(Path.Combine(work.Path, "data", "rocksdb")).Any(), "RocksDB files in the configured folder");
        Assert.Empty(Directory.EnumerateFileSystemEntries(cwd));

        await server.StopAsync();
        Assert.Equal(0, server.ExitCode);
    }

    private static async Task<(int ExitCode, string Output)> RunAsync(string program, string[] args, TimeSpan deadline)
    {
        var info = new ProcessStartInfo(program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        try
        {
            await process.WaitForExitAsync(TestContext.Current.CancellationToken).WaitAsync(deadline);
        }
        catch (TimeoutException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync(CancellationToken.None);
            return (-1, $"timed out after {deadline.TotalMinutes:0} min:\n{await stdout}\n{await stderr}");
        }
        return (process.ExitCode, await stdout + "\n" + await stderr);
    }
}
