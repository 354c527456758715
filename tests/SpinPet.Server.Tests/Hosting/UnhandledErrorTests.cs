using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
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
using SpinPet.Storage;
using SpinPet.TestSupport;

namespace SpinPet.Server.Tests.Hosting;

/// <summary>
/// An exception no route caught answers the REST envelope, never an empty body: the server as Program.cs composes it
/// (middleware included), Kestrel on a loopback port, RocksDB in a temp folder, real HTTP.
/// </summary>
public sealed class UnhandledErrorTests
{
    [Fact]
    public async Task A_failing_read_answers_500_with_the_envelope_is_logged_once_and_the_server_keeps_serving()
    {
        using var folder = new TempFolder();
        var logs = new LogCapture();
        await using var app = await StartAsync(folder.Path, logs);
        using var http = new HttpClient { BaseAddress = BaseUri(app) };
        var ct = TestContext.Current.CancellationToken;
        // The store closed under the running server: the surest way to make a read throw (a broken disk cannot be staged).
        app.Services.GetRequiredService<SpinPetStore>().Dispose();

        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/mints");
        request.Headers.Add("Origin", "https://app.example");
        using var response = await http.SendAsync(request, ct);

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        // A browser can read it: the CORS headers survive the handler's reset of the response.
        Assert.Equal("*", response.Headers.GetValues("Access-Control-Allow-Origin").Single());
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>(ct);
        Assert.False(body.GetProperty("success").GetBoolean());
        Assert.Equal(JsonValueKind.Null, body.GetProperty("data").ValueKind);
        var message = body.GetProperty("message").GetString()!;
        Assert.StartsWith("Internal server error while serving GET /api/mints (request ", message, StringComparison.Ordinal);
        // The exception's own text stays in the log.
        Assert.DoesNotContain(nameof(ObjectDisposedException), message, StringComparison.Ordinal);
        Assert.DoesNotContain(folder.Path, message, StringComparison.Ordinal);

        // Logged once, by the handler, with the request; neither the middleware nor Kestrel logs it again.
        var logged = Assert.Single(logs.Entries, e => e.Exception is not null
            && (e.Category.StartsWith("SpinPet.Server.Api", StringComparison.Ordinal) || e.Category.StartsWith("Microsoft.AspNetCore", StringComparison.Ordinal)));
        Assert.Equal(("SpinPet.Server.Api.ApiExceptionHandler", LogLevel.Error), (logged.Category, logged.Level));
        Assert.IsType<ObjectDisposedException>(logged.Exception);
        Assert.Contains("GET /api/mints", logged.Message, StringComparison.Ordinal);

        // The process keeps serving what does not need the store.
        using var time = await http.GetAsync("/api/time", ct);
        Assert.Equal(HttpStatusCode.OK, time.StatusCode);
        await app.StopAsync(ct);
    }

    [Fact]
    public async Task A_request_body_the_server_cannot_read_answers_400_with_the_envelope()
    {
        using var folder = new TempFolder();
        await using var app = await StartAsync(folder.Path, new LogCapture());
        var uri = BaseUri(app);
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(uri.Host, uri.Port, TestContext.Current.CancellationToken);
        var stream = tcp.GetStream();

        // Chunked encoding with a chunk size that is not hexadecimal: Kestrel fails the body read of the route.
        var request = $"POST /api/details HTTP/1.1\r\nHost: {uri.Authority}\r\nContent-Type: application/json\r\n" +
                      "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\nzz\r\n{}\r\n0\r\n\r\n";
        await stream.WriteAsync(Encoding.ASCII.GetBytes(request), TestContext.Current.CancellationToken);
        using var reader = new StreamReader(stream, Encoding.UTF8);
        var answer = await reader.ReadToEndAsync(TestContext.Current.CancellationToken);

        Assert.StartsWith("HTTP/1.1 400", answer, StringComparison.Ordinal);
        var json = answer[(answer.IndexOf("\r\n\r\n", StringComparison.Ordinal) + 4)..];
        // The body may arrive chunked: take the JSON object inside it.
        var envelope = JsonDocument.Parse(json[json.IndexOf('{', StringComparison.Ordinal)..(json.LastIndexOf('}') + 1)]).RootElement;
        Assert.False(envelope.GetProperty("success").GetBoolean());
        Assert.Equal(JsonValueKind.Null, envelope.GetProperty("data").ValueKind);
        Assert.False(string.IsNullOrWhiteSpace(envelope.GetProperty("message").GetString()));
        await app.StopAsync(TestContext.Current.CancellationToken);
    }

    /// <summary>The server as Program.cs composes it, with the event listener off and the logs captured.</summary>
    private static async Task<WebApplication> StartAsync(string database, LogCapture logs)
    {
        var environment = new Dictionary<string, string>
        {
            ["SPIN_DATABASE__ROCKSDB_PATH"] = database,
            ["SPIN_SOLANA__ENABLE_EVENT_LISTENER"] = "false",
            ["SPIN_SERVER__HOST"] = "127.0.0.1",
            ["SPIN_SERVER__PORT"] = "0",
        };
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = [], ContentRootPath = RepoPaths.Root });
        builder.Configuration.AddSpinPetSources(builder.Environment.ContentRootPath, [], environment);
        builder.Logging.ClearProviders();
        builder.Logging.AddProvider(logs);
        builder.AddSpinPetServer();
        var app = builder.Build();
        app.UseSpinPetMiddleware();
        app.MapSpinPetEndpoints();
        await app.StartAsync(TestContext.Current.CancellationToken);
        return app;
    }

    private static Uri BaseUri(WebApplication app) =>
        new(app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First());

    /// <summary>Every log entry of the host, kept for assertions.</summary>
    private sealed class LogCapture : ILoggerProvider
    {
        private readonly ConcurrentQueue<Entry> _entries = new();

        public IReadOnlyCollection<Entry> Entries => _entries;

        public ILogger CreateLogger(string categoryName) => new Logger(categoryName, _entries);

        public void Dispose()
        {
        }

        public sealed record Entry(string Category, LogLevel Level, string Message, Exception? Exception);

        private sealed class Logger(string category, ConcurrentQueue<Entry> entries) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
                entries.Enqueue(new Entry(category, logLevel, formatter(state, exception), exception));
        }
    }
}
