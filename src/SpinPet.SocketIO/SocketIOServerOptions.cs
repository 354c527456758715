using Microsoft.AspNetCore.Http;
using SpinPet.SocketIO.Engine;

namespace SpinPet.SocketIO;

/// <summary>
/// Limits and timings of the Socket.IO endpoint. The defaults are the reference server's where it has one and the
/// /ws endpoint's otherwise; the host maps its configuration keys onto them (socketio.md: pingInterval =
/// <c>websocket.ping_interval</c>, pingTimeout = <c>websocket.ping_timeout</c>).
/// </summary>
public sealed record SocketIOServerOptions
{
    /// <summary>The server pings every interval; announced in the handshake.</summary>
    public TimeSpan PingInterval { get; init; } = TimeSpan.FromSeconds(25);

    /// <summary>A ping unanswered for this long closes the session; announced in the handshake.</summary>
    public TimeSpan PingTimeout { get; init; } = TimeSpan.FromSeconds(20);

    /// <summary>
    /// The largest polling POST body and websocket message a client may send (announced as <c>maxPayload</c>;
    /// socket.io-client splits its polling payloads to fit). 1 MiB per socketio.md.
    /// </summary>
    public int MaxPayloadBytes { get; init; } = 1024 * 1024;

    /// <summary>
    /// The largest single Socket.IO packet a client may send: the /ws message limit (<c>websocket.max_message_bytes</c>).
    /// A larger EVENT is rejected (<see cref="SocketIORejection.TooLarge"/>) and the session closed after the reply.
    /// </summary>
    public int MaxPacketBytes { get; init; } = 64 * 1024;

    /// <summary>What one session may hold in outgoing packets, in bytes; past it the session is closed (slow consumer).</summary>
    public long MaxOutboxBytes { get; init; } = 1024 * 1024;

    /// <summary>Polling sessions at most (a polling session lives without a connection, so it is bounded on its own).</summary>
    public int MaxPollingSessions { get; init; } = 1_000;

    /// <summary>Sessions at most, when no <see cref="Admission"/> is given.</summary>
    public int MaxSessions { get; init; } = 10_000;

    /// <summary>Sessions per client address at most, when no <see cref="Admission"/> is given.</summary>
    public int MaxSessionsPerAddress { get; init; } = 100;

    /// <summary>Token bucket of inbound packets per session (every Engine.IO packet takes a token): the /ws defaults.</summary>
    public int PacketBurst { get; init; } = 200;

    /// <inheritdoc cref="PacketBurst"/>
    public int PacketsPerSecond { get; init; } = 50;

    /// <summary>A session that joined no namespace within this time is closed (the reference server's 45 s).</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(45);

    /// <summary>A websocket probe that did not complete the upgrade within this time is dropped (the reference's 10 s).</summary>
    public TimeSpan UpgradeTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>A send (websocket batch or polling response) that has not completed in this time drops the session.</summary>
    public TimeSpan SendTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Accepts a websocket upgrade (answering the refusal itself and returning null when the request is not one).
    /// Null: ASP.NET Core's websockets (<see cref="AspNetEngineWebSocket"/>, needs <c>UseWebSockets()</c>). The int
    /// is the largest message to accept (<see cref="MaxPayloadBytes"/>).
    /// </summary>
    public Func<HttpContext, int, Task<IEngineWebSocket?>>? AcceptWebSocket { get; init; }

    /// <summary>
    /// Admission of new sessions (shared with other endpoints' connection limits). Null: <see cref="MaxSessions"/> and
    /// <see cref="MaxSessionsPerAddress"/> counted by this server alone.
    /// </summary>
    public ISocketIOAdmission? Admission { get; init; }

    internal void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(PingInterval, TimeSpan.Zero, nameof(PingInterval));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(PingTimeout, TimeSpan.Zero, nameof(PingTimeout));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxPayloadBytes, 1024, nameof(MaxPayloadBytes));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxPacketBytes, 1024, nameof(MaxPacketBytes));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(MaxPacketBytes, MaxPayloadBytes, nameof(MaxPacketBytes));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxOutboxBytes, 64 * 1024, nameof(MaxOutboxBytes));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(MaxPollingSessions, nameof(MaxPollingSessions));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(MaxSessions, nameof(MaxSessions));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(MaxSessionsPerAddress, nameof(MaxSessionsPerAddress));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(PacketBurst, nameof(PacketBurst));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(PacketsPerSecond, nameof(PacketsPerSecond));
    }
}
