using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using SpinPet.TestSupport;

namespace SpinPet.EndToEnd.Tests.Harness;

/// <summary>
/// Debian's headless Chromium as a child process with the DevTools protocol on an ephemeral loopback port, driven
/// over a plain <see cref="System.Net.WebSockets.ClientWebSocket"/> (<see cref="DevToolsPage"/>): no browser
/// automation package. A fresh profile folder per browser, deleted afterwards.
/// </summary>
internal sealed partial class HeadlessChromium : IAsyncDisposable
{
    public const string Executable = "/usr/bin/chromium";

    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);

    private readonly Process _process;
    private readonly TempFolder _profile;
    private readonly ChildProcessOutput _output;
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(30) };

    private HeadlessChromium(Process process, TempFolder profile) =>
        (_process, _profile, _output) = (process, profile, new ChildProcessOutput(process, "chromium", ListeningLine()));

    /// <summary>What the browser printed (for failure messages).</summary>
    public string Output => _output.Text;

    /// <summary>Starts the browser; fails the test (not skips it) when Chromium is not installed.</summary>
    public static async Task<HeadlessChromium> StartAsync()
    {
        if (!File.Exists(Executable))
        {
            Assert.Fail($"{Executable} is missing: the chart page test drives Debian's headless Chromium. Install it with "
                + "`apt-get install -y chromium` (.ci/run does this on a machine without it).");
        }
        var profile = new TempFolder("spinpet-chromium");
        var info = new ProcessStartInfo(Executable)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in (string[])[
            "--headless=new",
            // CI runs as root, where Chromium refuses to start with its sandbox; the page is our own.
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--disable-extensions",
            "--disable-background-networking",
            "--disable-component-update",
            "--no-first-run",
            "--no-default-browser-check",
            "--remote-debugging-address=127.0.0.1",
            "--remote-debugging-port=0",
            $"--user-data-dir={profile.Path}",
            "--window-size=1280,800",
            "about:blank"])
        {
            info.ArgumentList.Add(arg);
        }
        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        var browser = new HeadlessChromium(process, profile);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            var endpoint = await browser._output.Listening.WaitAsync(StartTimeout);
            browser._http.BaseAddress = new Uri($"http://{endpoint.Authority}/");
        }
        catch
        {
            await browser.DisposeAsync();
            throw;
        }
        return browser;
    }

    /// <summary>A new tab, connected over its own DevTools socket.</summary>
    public async Task<DevToolsPage> OpenPageAsync()
    {
        using var response = await _http.PutAsync(new Uri("json/new?about:blank", UriKind.Relative), content: null);
        response.EnsureSuccessStatusCode();
        var target = await response.Content.ReadFromJsonAsync<JsonElement>();
        var socketUrl = target.GetProperty("webSocketDebuggerUrl").GetString()
            ?? throw new InvalidOperationException("no webSocketDebuggerUrl in " + target);
        return await DevToolsPage.ConnectAsync(new Uri(socketUrl), target.GetProperty("id").GetString()!, this);
    }

    /// <summary>Closes a tab opened by <see cref="OpenPageAsync"/>.</summary>
    public async Task CloseTargetAsync(string targetId)
    {
        using var response = await _http.GetAsync(new Uri($"json/close/{targetId}", UriKind.Relative));
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
        _http.Dispose();
        _profile.Dispose();
    }

    [GeneratedRegex(@"DevTools listening on (ws://\S+)")]
    private static partial Regex ListeningLine();
}
