using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using SpinPet.Server.Configuration;
using SpinPet.Server.Hosting;
using SpinPet.TestSupport;

namespace SpinPet.Server.Tests.Streaming;

/// <summary>
/// The server as Program.cs composes it, in this process: Kestrel on a loopback port, RocksDB in a temp folder, the
/// event listener off; with real <see cref="ClientWebSocket"/> helpers. For tests that reach into the live services.
/// </summary>
internal static class InProcessServer
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    public static async Task<WebApplication> StartAsync(string database, IReadOnlyDictionary<string, string>? settings = null)
    {
        var environment = new Dictionary<string, string>
        {
            ["SPIN_DATABASE__ROCKSDB_PATH"] = database,
            ["SPIN_SOLANA__ENABLE_EVENT_LISTENER"] = "false",
            ["SPIN_SERVER__HOST"] = "127.0.0.1",
            ["SPIN_SERVER__PORT"] = "0",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string>())
        {
            environment[key] = value;
        }
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = [], ContentRootPath = RepoPaths.Root });
        builder.Configuration.AddSpinPetSources(builder.Environment.ContentRootPath, [], environment);
        builder.Logging.ClearProviders();
        builder.AddSpinPetServer();
        var app = builder.Build();
        app.MapSpinPetEndpoints();
        await app.StartAsync(TestContext.Current.CancellationToken);
        return app;
    }

    public static Uri SocketUri(WebApplication app)
    {
        string address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
        return new UriBuilder(address) { Scheme = "ws", Path = "/ws" }.Uri;
    }

    public static Task SendAsync(ClientWebSocket socket, string json) =>
        socket.SendAsync(Encoding.UTF8.GetBytes(json), WebSocketMessageType.Text, endOfMessage: true, TestContext.Current.CancellationToken);

    /// <summary>The next message as JSON, or null when the server closed the connection.</summary>
    public static async Task<JsonElement?> ReceiveAsync(ClientWebSocket socket)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(Wait);
        var buffer = new byte[64 * 1024];
        using var message = new MemoryStream();
        while (true)
        {
            var result = await socket.ReceiveAsync(buffer, timeout.Token);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                return null;
            }
            Assert.Equal(WebSocketMessageType.Text, result.MessageType);
            message.Write(buffer, 0, result.Count);
            if (result.EndOfMessage)
            {
                return JsonDocument.Parse(message.ToArray()).RootElement.Clone();
            }
        }
    }

    public static string? Type(JsonElement message) => message.GetProperty("type").GetString();
}
