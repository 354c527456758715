using System.Net;
using System.Threading.Channels;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using SpinPet.WebSockets;

namespace SpinPet.WebSockets.Tests;

/// <summary>
/// Kestrel on 127.0.0.1:0 whose <c>/ws</c> upgrades with <see cref="WebSocketHandshake"/> and echoes every message
/// over a <see cref="WebSocketConnection"/>; a too-large message gets an error text and a 1009 close.
/// </summary>
internal sealed class EchoServer : IAsyncDisposable
{
    public const int MaxMessageBytes = 64 * 1024;

    public static readonly byte[] TooLargeError = """{"type":"error","code":1005,"message":"message too large"}"""u8.ToArray();

    public static readonly byte[] RateLimitedError = """{"type":"error","code":1004,"message":"rate limited"}"""u8.ToArray();

    private readonly WebApplication _app;
    private readonly Channel<ServerSession> _sessions = Channel.CreateUnbounded<ServerSession>();
    private readonly CancellationTokenSource _stopping = new();

    private readonly bool _closeOnTooLarge;
    private readonly bool _deflate;
    private readonly int? _frameBurst;
    private readonly bool _directSend;
    private readonly byte[]? _greeting;

    private EchoServer(WebApplication app, bool closeOnTooLarge, bool deflate, int? frameBurst, bool directSend, byte[]? greeting)
    {
        _app = app;
        _closeOnTooLarge = closeOnTooLarge;
        _deflate = deflate;
        _frameBurst = frameBurst;
        _directSend = directSend;
        _greeting = greeting;
        app.Map("/ws", HandleAsync);
    }

    public int Port { get; private set; }

    public Uri WebSocketUri => new($"ws://127.0.0.1:{Port}/ws");

    public Uri HttpUri => new($"http://127.0.0.1:{Port}/ws");

    /// <param name="closeOnTooLarge">False: answer a too-large message with the error and keep reading.</param>
    /// <param name="deflate">Accept permessage-deflate offers; text echoes then go back compressed.</param>
    /// <param name="frameBurst">
    /// Give each connection an inbound limit of this many frames that never refills (a stopped clock), so which frames
    /// are refused is exact; a dropped message is answered with <see cref="RateLimitedError"/>.
    /// </param>
    /// <param name="directSend">
    /// Accept with <c>directSend</c> (frames straight to the socket), on a transport that schedules inline as the
    /// server's does (<see cref="DirectSendStream"/>'s precondition).
    /// </param>
    /// <param name="greeting">A text message sent the moment a connection is accepted, before anything is read.</param>
    public static async Task<EchoServer> StartAsync(bool closeOnTooLarge = true, bool deflate = false, int? frameBurst = null,
        bool directSend = false, byte[]? greeting = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(options => options.Listen(IPAddress.Loopback, 0));
        if (directSend)
        {
            builder.WebHost.UseSockets(sockets => sockets.UnsafePreferInlineScheduling = true);
        }
        builder.Services.Configure<HostOptions>(options => options.ShutdownTimeout = TimeSpan.FromSeconds(5));
        var server = new EchoServer(builder.Build(), closeOnTooLarge, deflate, frameBurst, directSend, greeting);
        await server._app.StartAsync();
        server.Port = new Uri(server._app.Urls.First()).Port;
        return server;
    }

    /// <summary>The server side of the next accepted WebSocket connection.</summary>
    public async Task<ServerSession> NextSessionAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        return await _sessions.Reader.ReadAsync(timeout.Token);
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        await _app.StopAsync();
        await _app.DisposeAsync();
        _stopping.Dispose();
    }

    private async Task HandleAsync(HttpContext context)
    {
        var connection = await WebSocketHandshake.AcceptAsync(context, MaxMessageBytes, _deflate, _directSend);
        if (connection is null)
        {
            return;
        }
        if (_greeting is not null)
        {
            await connection.SendTextAsync(_greeting, _stopping.Token);
        }

        if (_frameBurst is { } burst)
        {
            connection.FrameLimit = new FrameRateLimit(burst, perSecond: 1, StoppedClock.Instance).CreateBucket();
        }
        var session = new ServerSession(connection);
        _sessions.Writer.TryWrite(session);
        await using (connection)
        {
            try
            {
                session.Ended(await EchoAsync(session, _closeOnTooLarge, _stopping.Token));
            }
            catch (Exception ex) when (ex is WebSocketProtocolException or OperationCanceledException or IOException or InvalidOperationException)
            {
                session.Failed(ex);
            }
        }
    }

    private static async Task<WebSocketMessage> EchoAsync(ServerSession session, bool closeOnTooLarge, CancellationToken ct)
    {
        var connection = session.Connection;
        while (true)
        {
            var message = await connection.ReceiveAsync(ct);
            session.Received.Enqueue(message.Kind);
            switch (message.Kind)
            {
                case WebSocketMessageKind.Text when connection.IsDeflateNegotiated:
                    await connection.SendBatchAsync([WebSocketOutboundMessage.Deflated([PerMessageDeflate.Compress(message.Payload.Span)])], ct);
                    break;
                case WebSocketMessageKind.Text:
                    await connection.SendTextAsync(message.Payload, ct);
                    break;
                case WebSocketMessageKind.Binary:
                    await connection.SendBinaryAsync(message.Payload, ct);
                    break;
                case WebSocketMessageKind.RateLimited:
                    await connection.SendTextAsync(RateLimitedError, ct);
                    break;
                case WebSocketMessageKind.TooLarge:
                    await connection.SendTextAsync(TooLargeError, ct);
                    if (!closeOnTooLarge)
                    {
                        break;
                    }
                    await connection.CloseAsync(WebSocketCloseCodes.MessageTooBig, "message too large", ct);
                    return message;
                default:
                    // The close frame was already answered; this only releases the transport.
                    await connection.CloseAsync(WebSocketCloseCodes.NormalClosure, string.Empty, ct);
                    return message;
            }
        }
    }
}
