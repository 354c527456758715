using System.Collections.Concurrent;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace SpinPet.EndToEnd.Tests.Harness;

/// <summary>
/// One browser tab over the Chrome DevTools Protocol: JSON commands with ids on a WebSocket, answered in any order,
/// events in between. Only what the chart test needs: navigate, evaluate, screenshot, viewport, mouse.
/// The page's console messages and uncaught exceptions are kept for failure messages.
/// </summary>
internal sealed class DevToolsPage : IAsyncDisposable
{
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(30);

    private readonly ClientWebSocket _socket = new();
    private readonly SemaphoreSlim _sendLock = new(1, 1);
    private readonly ConcurrentDictionary<int, TaskCompletionSource<JsonElement>> _pending = new();
    private readonly CancellationTokenSource _closing = new();
    private readonly List<string> _console = [];
    private readonly HeadlessChromium _browser;
    private readonly string _targetId;
    private Task _reader = Task.CompletedTask;
    private int _nextId;

    private DevToolsPage(HeadlessChromium browser, string targetId) => (_browser, _targetId) = (browser, targetId);

    /// <summary>The page's console output and uncaught exceptions so far.</summary>
    public string Console
    {
        get
        {
            lock (_console)
            {
                return string.Join('\n', _console);
            }
        }
    }

    public static async Task<DevToolsPage> ConnectAsync(Uri socketUrl, string targetId, HeadlessChromium browser)
    {
        var page = new DevToolsPage(browser, targetId);
        page._socket.Options.KeepAliveInterval = TimeSpan.Zero;
        await page._socket.ConnectAsync(socketUrl, CancellationToken.None);
        page._reader = page.ReadAsync();
        await page.SendAsync("Runtime.enable");
        await page.SendAsync("Page.enable");
        return page;
    }

    /// <summary>Sends a command and returns its <c>result</c>; a protocol error throws with its message.</summary>
    public async Task<JsonElement> SendAsync(string method, JsonObject? parameters = null)
    {
        int id = Interlocked.Increment(ref _nextId);
        var answer = new TaskCompletionSource<JsonElement>(TaskCreationOptions.RunContinuationsAsynchronously);
        _pending[id] = answer;
        var command = new JsonObject { ["id"] = id, ["method"] = method, ["params"] = parameters ?? [] };
        var bytes = Encoding.UTF8.GetBytes(command.ToJsonString());
        await _sendLock.WaitAsync();
        try
        {
            await _socket.SendAsync(bytes, WebSocketMessageType.Text, endOfMessage: true, CancellationToken.None);
        }
        finally
        {
            _sendLock.Release();
        }
        try
        {
            return await answer.Task.WaitAsync(CommandTimeout);
        }
        finally
        {
            _pending.TryRemove(id, out _);
        }
    }

    /// <summary>Loads <paramref name="url"/> and waits for its load event.</summary>
    public async Task NavigateAsync(Uri url)
    {
        await SendAsync("Page.navigate", new JsonObject { ["url"] = url.ToString() });
        await Eventually(async () => await EvaluateAsync<string>("document.readyState") == "complete", TimeSpan.FromSeconds(30), "page loaded");
    }

    /// <summary>
    /// Evaluates <paramref name="expression"/> in the page (promises awaited) and returns its value as JSON; a thrown
    /// exception becomes an <see cref="InvalidOperationException"/> with the page's message.
    /// </summary>
    public async Task<JsonElement> EvaluateAsync(string expression)
    {
        var result = await SendAsync("Runtime.evaluate", new JsonObject
        {
            ["expression"] = expression,
            ["awaitPromise"] = true,
            ["returnByValue"] = true,
        });
        if (result.TryGetProperty("exceptionDetails", out var exception))
        {
            throw new InvalidOperationException($"page threw evaluating `{expression}`: {exception}");
        }
        var value = result.GetProperty("result");
        return value.TryGetProperty("value", out var json) ? json : default;
    }

    public async Task<T> EvaluateAsync<T>(string expression) =>
        (await EvaluateAsync(expression)).Deserialize<T>(JsonOptions)!;

    /// <summary>A PNG of the viewport.</summary>
    public async Task<byte[]> ScreenshotAsync()
    {
        var result = await SendAsync("Page.captureScreenshot", new JsonObject { ["format"] = "png" });
        return Convert.FromBase64String(result.GetProperty("data").GetString()!);
    }

    /// <summary>Emulates a viewport of <paramref name="width"/> × <paramref name="height"/> CSS pixels (a phone: 390 × 844).</summary>
    public Task SetViewportAsync(int width, int height, double scale = 1, bool mobile = false) =>
        SendAsync("Emulation.setDeviceMetricsOverride", new JsonObject
        {
            ["width"] = width,
            ["height"] = height,
            ["deviceScaleFactor"] = scale,
            ["mobile"] = mobile,
        });

    /// <summary>Presses the left mouse button at one point, moves in steps to another and releases it there.</summary>
    public async Task DragAsync(double fromX, double fromY, double toX, double toY, int steps = 10)
    {
        await MouseAsync("mousePressed", fromX, fromY, buttons: 1);
        for (int step = 1; step <= steps; step++)
        {
            await MouseAsync("mouseMoved", fromX + ((toX - fromX) * step / steps), fromY + ((toY - fromY) * step / steps), buttons: 1);
        }
        await MouseAsync("mouseReleased", toX, toY, buttons: 0);
    }

    /// <summary>Moves the mouse (no button pressed), e.g. off the chart so that no crosshair is drawn.</summary>
    public Task MoveMouseAsync(double x, double y) => MouseAsync("mouseMoved", x, y, buttons: 0);

    /// <summary>Polls <paramref name="condition"/> (typically an evaluation) until it holds; the timeout names it and shows the console.</summary>
    public async Task Eventually(Func<Task<bool>> condition, TimeSpan timeout, string what)
    {
        try
        {
            await SpinPet.TestSupport.Eventually.TrueAsync(condition, timeout, what);
        }
        catch (TimeoutException e)
        {
            throw new TimeoutException($"{e.Message}\npage console:\n{Console}", e);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _closing.CancelAsync();
        _socket.Abort();
        try
        {
            await _reader;
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException)
        {
            // Aborted on purpose.
        }
        _socket.Dispose();
        _sendLock.Dispose();
        _closing.Dispose();
        await _browser.CloseTargetAsync(_targetId);
    }

    private Task MouseAsync(string type, double x, double y, int buttons) =>
        SendAsync("Input.dispatchMouseEvent", new JsonObject
        {
            ["type"] = type,
            ["x"] = x,
            ["y"] = y,
            ["button"] = "left",
            ["buttons"] = buttons,
            ["clickCount"] = type == "mouseMoved" ? 0 : 1,
        });

    private async Task ReadAsync()
    {
        var buffer = new byte[64 * 1024];
        using var message = new MemoryStream();
        while (!_closing.IsCancellationRequested)
        {
            var result = await _socket.ReceiveAsync(buffer, _closing.Token);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                break;
            }
            message.Write(buffer, 0, result.Count);
            if (!result.EndOfMessage)
            {
                continue;
            }
            Dispatch(JsonDocument.Parse(message.ToArray()).RootElement.Clone());
            message.SetLength(0);
        }
        foreach (var pending in _pending.Values)
        {
            pending.TrySetException(new InvalidOperationException("the DevTools connection closed"));
        }
    }

    private void Dispatch(JsonElement message)
    {
        if (message.TryGetProperty("id", out var id))
        {
            if (_pending.TryGetValue(id.GetInt32(), out var answer))
            {
                if (message.TryGetProperty("error", out var error))
                {
                    answer.TrySetException(new InvalidOperationException($"DevTools error: {error}"));
                }
                else
                {
                    answer.TrySetResult(message.GetProperty("result"));
                }
            }
            return;
        }
        string? line = message.GetProperty("method").GetString() switch
        {
            "Runtime.consoleAPICalled" => ConsoleLine(message.GetProperty("params")),
            "Runtime.exceptionThrown" => "uncaught: " + message.GetProperty("params").GetProperty("exceptionDetails"),
            _ => null,
        };
        if (line is not null)
        {
            lock (_console)
            {
                _console.Add(line);
            }
        }
    }

    private static string ConsoleLine(JsonElement call)
    {
        var args = call.GetProperty("args").EnumerateArray().Select(arg =>
            arg.TryGetProperty("value", out var value) ? value.ToString()
            : arg.TryGetProperty("description", out var description) ? description.GetString()
            : arg.GetProperty("type").GetString());
        return $"{call.GetProperty("type").GetString()}: {string.Join(' ', args)}";
    }

    private static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web);
}
