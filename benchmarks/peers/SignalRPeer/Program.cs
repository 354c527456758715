using System.Text.Json;
using Microsoft.AspNetCore.SignalR;
using SpinPet.Peers;

// Peer (a): a minimal ASP.NET Core SignalR hub broadcasting to a group, as most C# teams would write it.
// usage: SignalRPeer --port P --payload kline_data.json
var port = ArgValue(args, "--port") ?? "5081";
var payload = ArgValue(args, "--payload") ?? throw new ArgumentException("--payload is required");
var builder = WebApplication.CreateSlimBuilder();
builder.Logging.SetMinimumLevel(LogLevel.Warning);
builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
builder.Services.AddSignalR();
builder.Services.AddSingleton(sp =>
{
    var hub = sp.GetRequiredService<IHubContext<KlineHub>>();
    PeerBroadcaster? self = null;
    self = new PeerBroadcaster(payload, async (topic, message) =>
    {
        using var doc = JsonDocument.Parse(message);
        await hub.Clients.Group(topic).SendAsync("kline", doc.RootElement.Clone());
        return self!.Topics.TryGetValue(topic, out int n) ? n : 0;
    });
    return self;
});
var app = builder.Build();
app.MapHub<KlineHub>("/hub");
app.MapPost("/control/start", (PeerBroadcaster b, double rate, double seconds) =>
{
    b.Start(rate, seconds);
    return Results.Ok();
});
app.MapPost("/control/stop", async (PeerBroadcaster b) => Results.Content(await b.StopAsync(), "application/json"));
Console.WriteLine($"Now listening on: http://127.0.0.1:{port}");
await app.RunAsync();

static string? ArgValue(string[] args, string name)
{
    int i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
}

/// <summary>Subscribe(symbol, interval, id) joins the topic's group and answers with our subscription_confirmed.</summary>
public sealed class KlineHub(PeerBroadcaster broadcaster) : Hub
{
    public async Task Subscribe(string symbol, string interval, string subscriptionId)
    {
        await Groups.AddToGroupAsync(Context.ConnectionId, PeerBroadcaster.Topic(symbol, interval));
        broadcaster.AddSubscriber(symbol, interval);
        using var doc = JsonDocument.Parse(PeerBroadcaster.Confirmation(symbol, interval, subscriptionId));
        await Clients.Caller.SendAsync("message", doc.RootElement.Clone());
    }
}
