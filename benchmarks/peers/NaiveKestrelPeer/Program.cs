using System.Collections.Concurrent;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using SpinPet.Peers;

// Peer (b): the naive ASP.NET Core raw-WebSocket loop: AcceptWebSocketAsync, one receive loop per socket,
// SendAsync per message per socket (a semaphore per socket, since WebSocket allows one send at a time).
// usage: NaiveKestrelPeer --port P --payload kline_data.json
var port = ArgValue(args, "--port") ?? "5082";
var payload = ArgValue(args, "--payload") ?? throw new ArgumentException("--payload is required");
var topics = new ConcurrentDictionary<string, ConcurrentDictionary<Client, byte>>(StringComparer.Ordinal);
var broadcaster = new PeerBroadcaster(payload, async (topic, message) =>
{
    if (!topics.TryGetValue(topic, out var clients))
    {
        return 0;
    }
    var bytes = Encoding.UTF8.GetBytes(message);
    var sends = clients.Keys.Select(c => c.SendAsync(bytes)).ToArray();
    await Task.WhenAll(sends);
    return sends.Length;
});
var builder = WebApplication.CreateSlimBuilder();
builder.Logging.SetMinimumLevel(LogLevel.Warning);
builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
var app = builder.Build();
app.UseWebSockets();
app.Map("/ws", async context =>
{
    if (!context.WebSockets.IsWebSocketRequest)
    {
        context.Response.StatusCode = 400;
        return;
    }
    using var socket = await context.WebSockets.AcceptWebSocketAsync();
    var client = new Client(socket);
    var buffer = new byte[4096];
    var mine = new List<string>();
    try
    {
        while (socket.State == WebSocketState.Open)
        {
            var received = await socket.ReceiveAsync(buffer, context.RequestAborted);
            if (received.MessageType == WebSocketMessageType.Close)
            {
                break;
            }
            if (!received.EndOfMessage)
            {
                continue;
            }
            using var doc = JsonDocument.Parse(buffer.AsMemory(0, received.Count));
            var root = doc.RootElement;
            if (root.TryGetProperty("msg_type", out var type) && type.GetString() == "subscribe")
            {
                string symbol = root.GetProperty("symbol").GetString()!;
                string interval = root.GetProperty("interval").GetString()!;
                string id = root.TryGetProperty("subscription_id", out var s) ? s.GetString() ?? "" : "";
                string topic = PeerBroadcaster.Topic(symbol, interval);
                topics.GetOrAdd(topic, static _ => new()).TryAdd(client, 0);
                mine.Add(topic);
                broadcaster.AddSubscriber(symbol, interval);
                await client.SendAsync(Encoding.UTF8.GetBytes(PeerBroadcaster.Confirmation(symbol, interval, id)));
            }
        }
    }
    catch (Exception e) when (e is WebSocketException or OperationCanceledException or JsonException)
    {
        // The client went away or sent garbage; drop it.
    }
    finally
    {
        foreach (var topic in mine)
        {
            if (topics.TryGetValue(topic, out var set))
            {
                set.TryRemove(client, out _);
            }
        }
    }
});
// The history scenario's ceiling: the smallest answer Kestrel can give, asked by the same HTTP client.
app.MapGet("/plaintext", () => Results.Text("Hello, World!"));
app.MapPost("/control/start", (double rate, double seconds) =>
{
    broadcaster.Start(rate, seconds);
    return Results.Ok();
});
app.MapPost("/control/stop", async () => Results.Content(await broadcaster.StopAsync(), "application/json"));
Console.WriteLine($"Now listening on: http://127.0.0.1:{port}");
await app.RunAsync();

static string? ArgValue(string[] args, string name)
{
    int i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
}

/// <summary>A socket and the one-send-at-a-time gate WebSocket requires.</summary>
internal sealed class Client(WebSocket socket)
{
    private readonly SemaphoreSlim _gate = new(1, 1);

    public async Task SendAsync(byte[] message)
    {
        await _gate.WaitAsync();
        try
        {
            await socket.SendAsync(message, WebSocketMessageType.Text, endOfMessage: true, CancellationToken.None);
        }
        catch (Exception e) when (e is WebSocketException or ObjectDisposedException)
        {
            // Closed while we were broadcasting.
        }
        finally
        {
            _gate.Release();
        }
    }
}
