using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using SpinPet.SocketIO.Engine;
using SpinPet.SocketIO.Namespaces;
using SpinPet.SocketIO.Protocol;

namespace SpinPet.SocketIO;

/// <summary>
/// The Engine.IO v4 / Socket.IO v5 server: routes each request of the endpoint (<see cref="HandleAsync"/>) to a new
/// session (handshake) or to its session's transport, refusing what the reference server refuses with its error
/// JSON. Namespaces are the handlers given here plus <c>/</c>, which connects and does nothing.
/// </summary>
public sealed class SocketIOServer
{
    private readonly ConcurrentDictionary<string, EngineSession> _sessions = new(StringComparer.Ordinal);
    private readonly Dictionary<string, ISocketIONamespaceHandler> _namespaces;
    private readonly ISocketIOAdmission _admission;
    private readonly Func<HttpContext, int, Task<IEngineWebSocket?>> _acceptWebSocket;
    private readonly Lock _slowConsumerGate = new();
    private long _slowConsumersLoggedAt = long.MinValue;
    private long _slowConsumersUnlogged;

    /// <param name="options">Limits and timings.</param>
    /// <param name="namespaces">The served namespaces by name (<c>"/kline"</c>); <c>/</c> is added unless given.</param>
    /// <param name="logger">Where sessions and refusals are logged.</param>
    /// <param name="time">The clock of the heartbeat and the rate limit (tests pass a fake one).</param>
    public SocketIOServer(SocketIOServerOptions options, IReadOnlyDictionary<string, ISocketIONamespaceHandler> namespaces,
        ILogger<SocketIOServer> logger, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(namespaces);
        ArgumentNullException.ThrowIfNull(logger);
        options.Validate();
        Options = options;
        Logger = logger;
        Time = time ?? TimeProvider.System;
        _namespaces = new Dictionary<string, ISocketIONamespaceHandler>(namespaces, StringComparer.Ordinal);
        _namespaces.TryAdd("/", RootNamespace.Instance);
        _admission = options.Admission ?? new SessionLimits(options.MaxSessions, options.MaxSessionsPerAddress);
        _acceptWebSocket = options.AcceptWebSocket ?? AspNetEngineWebSocket.AcceptAsync;
        Rejections = new RejectionLog(logger, Time);
    }

    public SocketIOCounters Counters { get; } = new();

    internal SocketIOServerOptions Options { get; }

    internal ILogger Logger { get; }

    internal TimeProvider Time { get; }

    internal RejectionLog Rejections { get; }

    internal int SessionCount => _sessions.Count;

    internal EngineSession? FindSession(string sid) => _sessions.GetValueOrDefault(sid);

    /// <summary>The request delegate of the endpoint (<c>/socket.io/</c>): handshake, polling GET/POST, websocket.</summary>
    public async Task HandleAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var query = context.Request.Query;
        string transport = query["transport"].ToString();
        string sid = query["sid"].ToString();
        bool isUpgrade = IsWebSocketUpgrade(context.Request);
        if (transport is not ("polling" or "websocket"))
        {
            await RefuseAsync(context, EngineErrorCode.TransportUnknown);
            return;
        }
        if (sid.Length > 0)
        {
            await ContinueAsync(context, sid, transport == "websocket", isUpgrade);
            return;
        }
        if (!HttpMethods.IsGet(context.Request.Method))
        {
            await RefuseAsync(context, EngineErrorCode.BadHandshakeMethod);
            return;
        }
        if (transport == "websocket" && !isUpgrade)
        {
            await RefuseAsync(context, EngineErrorCode.BadRequest, "websocket transport without an upgrade");
            return;
        }
        if (query["EIO"].ToString() != "4")
        {
            // Engine.IO 3 (socket.io-client 2.x) and anything unnamed: the reference treats a missing EIO as 3.
            await RefuseAsync(context, EngineErrorCode.UnsupportedProtocolVersion);
            return;
        }
        if (query.ContainsKey("j"))
        {
            await RefuseAsync(context, EngineErrorCode.BadRequest, "JSONP polling is not supported");
            return;
        }
        await HandshakeAsync(context, transport == "websocket");
    }

    /// <summary>Closes every session (server shutdown): each gets what it has queued and the close.</summary>
    public void CloseAll()
    {
        foreach (var session in _sessions.Values)
        {
            session.Close(SocketIODisconnectReason.ServerShutdown);
        }
    }

    internal ISocketIONamespaceHandler? FindNamespace(string name) => _namespaces.GetValueOrDefault(name);

    internal void OnClosing(EngineSession session, SocketIODisconnectReason reason)
    {
        SocketIOLog.SessionClosed(Logger, session.Id, reason);
        if (reason == SocketIODisconnectReason.PingTimeout)
        {
            Counters.PingTimeout();
        }
        else if (reason == SocketIODisconnectReason.SlowConsumer)
        {
            Counters.SlowConsumer();
            LogSlowConsumer();
        }
    }

    internal void OnUpgraded(EngineSession session)
    {
        Counters.Upgraded();
        SocketIOLog.SessionUpgraded(Logger, session.Id);
    }

    internal void Remove(EngineSession session)
    {
        if (_sessions.TryRemove(new KeyValuePair<string, EngineSession>(session.Id, session)))
        {
            Counters.SessionClosed(polling: !session.IsWebSocket);
            _admission.Release(session.Address);
        }
    }

    /// <summary>
    /// Answers the Engine.IO error JSON (HTTP 400, 403 for <see cref="EngineErrorCode.Forbidden"/>), counted and
    /// logged like the server's own refusals: for the host's checks before <see cref="HandleAsync"/>, e.g. an origin
    /// outside the allow-list (browsers apply no CORS to a websocket) → <see cref="EngineErrorCode.Forbidden"/>.
    /// </summary>
    public Task RefuseAsync(HttpContext context, EngineErrorCode code, string? message = null) =>
        WriteErrorAsync(context, code == EngineErrorCode.Forbidden ? StatusCodes.Status403Forbidden : StatusCodes.Status400BadRequest,
            code, message ?? DefaultMessage(code));

    private async Task ContinueAsync(HttpContext context, string sid, bool webSocket, bool isUpgrade)
    {
        if (!_sessions.TryGetValue(sid, out var session) || session.IsClosed)
        {
            await RefuseAsync(context, EngineErrorCode.SessionIdUnknown);
            return;
        }
        if (webSocket)
        {
            if (!isUpgrade || session.IsWebSocket || session.IsUpgrading)
            {
                await RefuseAsync(context, EngineErrorCode.BadRequest, isUpgrade ? "the session is already upgrading or upgraded" : "transport mismatch");
                return;
            }
            var socket = await _acceptWebSocket(context, Options.MaxPayloadBytes);
            if (socket is not null)
            {
                await WebSocketTransport.ProbeAsync(session, socket);
            }
            return;
        }
        if (session.IsWebSocket)
        {
            await RefuseAsync(context, EngineErrorCode.BadRequest, "transport mismatch: the session was upgraded to websocket");
            return;
        }
        if (HttpMethods.IsGet(context.Request.Method))
        {
            await PollingTransport.GetAsync(session, context);
        }
        else if (HttpMethods.IsPost(context.Request.Method))
        {
            await PollingTransport.PostAsync(session, context);
        }
        else
        {
            await RefuseAsync(context, EngineErrorCode.BadRequest, "polling takes GET and POST only");
        }
    }

    private async Task HandshakeAsync(HttpContext context, bool webSocket)
    {
        string address = context.Connection.RemoteIpAddress?.ToString() ?? "unknown";
        if (!_admission.TryReserve(address, out var outboxCredit, out string? refusal))
        {
            await RefuseAtCapacityAsync(context, refusal ?? "server at capacity");
            return;
        }
        if (!webSocket && !Counters.TryAddPollingSession(Options.MaxPollingSessions))
        {
            _admission.Release(address);
            await RefuseAtCapacityAsync(context, "too many polling sessions");
            return;
        }
        EngineSession? session = null;
        try
        {
            IEngineWebSocket? socket = null;
            if (webSocket)
            {
                socket = await _acceptWebSocket(context, Options.MaxPayloadBytes);
                if (socket is null)
                {
                    return;
                }
            }
            session = new EngineSession(this, NewSessionId(), address, webSocket, outboxCredit);
            _sessions[session.Id] = session;
            Counters.SessionOpened();
            SocketIOLog.SessionOpened(Logger, session.Id, webSocket ? "websocket" : "polling", address);
            session.Start();
            if (socket is not null)
            {
                await WebSocketTransport.RunAsync(session, socket);
            }
            else
            {
                await PollingTransport.GetAsync(session, context);
            }
        }
        finally
        {
            if (session is null)
            {
                // No session was made (the upgrade was refused or failed): give the slots back.
                if (!webSocket)
                {
                    Counters.ReleasePollingSession();
                }
                _admission.Release(address);
            }
        }
    }

    private Task RefuseAtCapacityAsync(HttpContext context, string refusal)
    {
        Counters.AtCapacity();
        return WriteErrorAsync(context, StatusCodes.Status503ServiceUnavailable, EngineErrorCode.BadRequest, refusal);
    }

    private async Task WriteErrorAsync(HttpContext context, int status, EngineErrorCode code, string message)
    {
        Counters.RequestRefused();
        SocketIOLog.RequestRefused(Logger, status, (int)code, message, context.Connection.RemoteIpAddress?.ToString() ?? "unknown");
        if (context.Response.HasStarted)
        {
            return;
        }
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        await context.Response.Body.WriteAsync(
            JsonSerializer.SerializeToUtf8Bytes(new EngineError((int)code, message), SocketIOJsonContext.Default.EngineError),
            context.RequestAborted);
    }

    private static string DefaultMessage(EngineErrorCode code) => code switch
    {
        EngineErrorCode.TransportUnknown => "Transport unknown",
        EngineErrorCode.SessionIdUnknown => "Session ID unknown",
        EngineErrorCode.BadHandshakeMethod => "Bad handshake method",
        EngineErrorCode.Forbidden => "Forbidden",
        EngineErrorCode.UnsupportedProtocolVersion => "Unsupported protocol version",
        _ => "Bad request",
    };

    private static bool IsWebSocketUpgrade(HttpRequest request)
    {
        foreach (var value in request.Headers.Upgrade)
        {
            if (value is not null && value.Contains("websocket", StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>20 characters of base64url from 15 random bytes, as the reference's session ids.</summary>
    private static string NewSessionId() => SocketIOConnection.NewSocketId();

    private void LogSlowConsumer()
    {
        long now = Time.GetTimestamp();
        long count;
        lock (_slowConsumerGate)
        {
            _slowConsumersUnlogged++;
            if (_slowConsumersLoggedAt != long.MinValue && Time.GetElapsedTime(_slowConsumersLoggedAt, now) < TimeSpan.FromSeconds(1))
            {
                return;
            }
            _slowConsumersLoggedAt = now;
            count = _slowConsumersUnlogged;
            _slowConsumersUnlogged = 0;
        }
        SocketIOLog.SlowConsumers(Logger, count, Options.MaxOutboxBytes, Counters.SlowConsumerCloses);
    }
}
