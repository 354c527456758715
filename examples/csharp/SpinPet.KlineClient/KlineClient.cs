using System.Buffers;
using System.Net.WebSockets;
using System.Text.Json;

namespace SpinPet.KlineClient;

/// <summary>
/// Connects, subscribes to one topic, keeps the connection alive from a sending task and prints every message from
/// a receiving task until one of them ends: the shape of the design document's Rust client (section 8.2).
/// </summary>
internal sealed class KlineClient(ClientOptions options, TextWriter output, TextWriter error)
{
    public const int Done = 0;
    public const int Failed = 1;

    // The server closes a connection that sent nothing for 60 s; 30 s keeps a quiet client well inside that.
    private static readonly TimeSpan KeepAlive = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan CloseWait = TimeSpan.FromSeconds(5);
    // Server messages are small (a history of 1,000 candles is ~150 KB); anything far larger is not ours.
    private const int MaxMessageBytes = 4 << 20;

    private int _updates;

    public async Task<int> RunAsync(CancellationToken ct)
    {
        using var socket = new ClientWebSocket();
        // WebSocket-level keepalive (unsolicited pong frames) besides the application ping of the sending task.
        socket.Options.KeepAliveInterval = KeepAlive;
        try
        {
            await socket.ConnectAsync(options.Url, ct).ConfigureAwait(false);
        }
        catch (WebSocketException ex)
        {
            await error.WriteLineAsync($"WebSocket error: cannot connect to {options.Url}: {ex.Message}").ConfigureAwait(false);
            return Failed;
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            return Done;
        }
        await output.WriteLineAsync($"Connected to WebSocket server {options.Url}").ConfigureAwait(false);

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var sending = SendAsync(socket, stop.Token);
        var receiving = ReceiveAsync(socket, stop.Token);
        // Whichever ends first ends the client (the Rust example's select!).
        var first = await Task.WhenAny(sending, receiving).ConfigureAwait(false);
        await stop.CancelAsync().ConfigureAwait(false);
        int sent = await sending.ConfigureAwait(false);
        int code = first == sending && sent != Done ? sent : await receiving.ConfigureAwait(false);
        await CloseAsync(socket).ConfigureAwait(false);
        return code;
    }

    /// <summary>Subscribes, then pings every 30 s until cancelled; returns <see cref="Failed"/> when a send fails.</summary>
    private async Task<int> SendAsync(ClientWebSocket socket, CancellationToken ct)
    {
        var subscribe = new SubscribeRequest(options.Symbol, options.Interval, "csharp_client_1");
        var ping = JsonSerializer.SerializeToUtf8Bytes(new PingRequest(), ClientJsonContext.Default.PingRequest);
        try
        {
            await socket.SendAsync(JsonSerializer.SerializeToUtf8Bytes(subscribe, ClientJsonContext.Default.SubscribeRequest),
                WebSocketMessageType.Text, endOfMessage: true, ct).ConfigureAwait(false);
            using var timer = new PeriodicTimer(KeepAlive);
            while (await timer.WaitForNextTickAsync(ct).ConfigureAwait(false))
            {
                await socket.SendAsync(ping, WebSocketMessageType.Text, endOfMessage: true, ct).ConfigureAwait(false);
            }
            return Done;
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            return Done;
        }
        catch (WebSocketException ex)
        {
            await error.WriteLineAsync($"Failed to send: {ex.Message}").ConfigureAwait(false);
            return Failed;
        }
    }

    /// <summary>Prints each message until the connection closes, the server reports an error, or enough updates arrived.</summary>
    private async Task<int> ReceiveAsync(ClientWebSocket socket, CancellationToken ct)
    {
        var message = new ArrayBufferWriter<byte>(16 * 1024);
        try
        {
            while (true)
            {
                var result = await socket.ReceiveAsync(message.GetMemory(8 * 1024), ct).ConfigureAwait(false);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    await output.WriteLineAsync($"Connection closed: {(int?)socket.CloseStatus} {socket.CloseStatusDescription}").ConfigureAwait(false);
                    return Failed;
                }
                message.Advance(result.Count);
                if (message.WrittenCount > MaxMessageBytes)
                {
                    await error.WriteLineAsync($"Message larger than {MaxMessageBytes} bytes").ConfigureAwait(false);
                    return Failed;
                }
                if (!result.EndOfMessage)
                {
                    continue;
                }
                int? outcome = result.MessageType == WebSocketMessageType.Text ? await HandleAsync(message.WrittenMemory).ConfigureAwait(false) : null;
                message.ResetWrittenCount();
                if (outcome is int code)
                {
                    return code;
                }
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            return Done;
        }
        catch (WebSocketException ex)
        {
            await error.WriteLineAsync($"WebSocket error: {ex.Message}").ConfigureAwait(false);
            return Failed;
        }
    }

    /// <summary>Prints one server message; returns an exit code when the client is done.</summary>
    private async Task<int?> HandleAsync(ReadOnlyMemory<byte> utf8)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(utf8);
        }
        catch (JsonException ex)
        {
            await error.WriteLineAsync($"Unreadable message: {ex.Message}").ConfigureAwait(false);
            return null;
        }
        using (document)
        {
            var root = document.RootElement;
            string? type = root.ValueKind == JsonValueKind.Object && root.TryGetProperty("type", out var t) && t.ValueKind == JsonValueKind.String
                ? t.GetString()
                : null;
            switch (type)
            {
                case "connection_success":
                    await output.WriteLineAsync($"Connected: {root.GetRawText()}").ConfigureAwait(false);
                    return null;
                case "history_data":
                    await output.WriteLineAsync(DescribeHistory(root.GetProperty("data"))).ConfigureAwait(false);
                    return null;
                case "kline_data":
                    await output.WriteLineAsync($"Real-time K-line: {root.GetProperty("data").GetRawText()}").ConfigureAwait(false);
                    return ++_updates >= options.MaxUpdates ? Done : null;
                case "subscription_confirmed":
                    await output.WriteLineAsync($"Subscription confirmed: {root.GetProperty("data").GetRawText()}").ConfigureAwait(false);
                    return null;
                case "pong":
                    await output.WriteLineAsync("Received pong").ConfigureAwait(false);
                    return null;
                case "error":
                    await error.WriteLineAsync($"Error: {root.GetRawText()}").ConfigureAwait(false);
                    return Failed;
                default:
                    await output.WriteLineAsync($"Unknown message: {root.GetRawText()}").ConfigureAwait(false);
                    return null;
            }
        }
    }

    // A history holds up to 1,000 candles: print its size and the newest one rather than all of it.
    private static string DescribeHistory(JsonElement data)
    {
        var candles = data.GetProperty("data");
        int count = candles.GetArrayLength();
        string newest = count > 0 ? $", newest {candles[count - 1].GetRawText()}" : "";
        return $"History data: {data.GetProperty("symbol").GetString()} {data.GetProperty("interval").GetString()}, " +
               $"{count} candles of {data.GetProperty("total_count").GetInt64()}{newest}";
    }

    private static async Task CloseAsync(ClientWebSocket socket)
    {
        if (socket.State is not (WebSocketState.Open or WebSocketState.CloseReceived))
        {
            return;
        }
        using var timeout = new CancellationTokenSource(CloseWait);
        try
        {
            await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "bye", timeout.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException)
        {
            // The server went away first; there is nothing left to close.
        }
    }
}
