using System.Diagnostics.Metrics;
using SpinPet.Core.Figures;
using SpinPet.SocketIO;

namespace SpinPet.Server.SocketIO;

/// <summary>
/// The Socket.IO endpoint's figures as instruments of the server's meter (<c>/metrics</c>), beside <c>/ws</c>'s
/// <c>spinpet.ws.*</c>: the library's <see cref="SocketIOCounters"/> and the <c>/kline</c> subscription count, read
/// only when scraped. <c>spinpet.socketio.active_sessions</c> is scraped as <c>spinpet_socketio_active_sessions</c>,
/// a counter such as <c>spinpet.socketio.packets_sent</c> as <c>spinpet_socketio_packets_sent_total</c>.
/// </summary>
internal static class SocketIOMetrics
{
    public static void Export(Meter meter, SocketIOCounters counters, KlineClients clients)
    {
        Figure[] figures =
        [
            new("spinpet.socketio.active_sessions", FigureKind.UpDown, "{session}", "Open Engine.IO sessions on /socket.io/ (either transport).",
                () => counters.ActiveSessions),
            new("spinpet.socketio.polling_sessions", FigureKind.UpDown, "{session}", "Open Engine.IO sessions on HTTP long-polling (not upgraded).",
                () => counters.PollingSessions),
            clients.Subscriptions,
            new("spinpet.socketio.sessions", FigureKind.Counter, "{session}", "Engine.IO sessions opened.", () => counters.TotalSessions),
            new("spinpet.socketio.upgrades", FigureKind.Counter, "{session}", "Polling sessions upgraded to websocket.", () => counters.Upgrades),
            new("spinpet.socketio.packets_sent", FigureKind.Counter, "{packet}", "Engine.IO packets written to websocket transports.",
                () => counters.PacketsSent),
            new("spinpet.socketio.slow_consumer_closes", FigureKind.Counter, "{session}",
                "Sessions closed as slow consumers: outbox over websocket.max_outbox_bytes, the shared outbox budget spent, or a send stalled.",
                () => counters.SlowConsumerCloses),
            new("spinpet.socketio.outbox_budget_closes", FigureKind.Counter, "{session}",
                "Slow consumers closed because their address's or the server's outbox budget was spent (websocket.max_outbox_bytes_per_ip / _total).",
                () => counters.OutboxBudgetCloses),
            new("spinpet.socketio.ping_timeouts", FigureKind.Counter, "{session}", "Sessions closed because a ping went unanswered.",
                () => counters.PingTimeouts),
            new("spinpet.socketio.refused_requests", FigureKind.Counter, "{request}",
                "Requests answered with an Engine.IO error (unknown transport or session, EIO=3, origin, overlap, capacity).",
                () => counters.RefusedRequests),
            new("spinpet.socketio.refused_at_capacity", FigureKind.Counter, "{request}",
                "Handshakes refused (503) by websocket.max_connections, max_connections_per_ip or the polling session bound.",
                () => counters.RefusedAtCapacity),
            new("spinpet.socketio.protocol_errors", FigureKind.Counter, "{session}", "Sessions closed for Engine.IO or Socket.IO protocol garbage.",
                () => counters.ProtocolErrors),
            new("spinpet.socketio.invalid_payloads", FigureKind.Counter, "{packet}", "Events whose data was not a valid event array (answered with error 1001).",
                () => counters.InvalidPayloads),
            new("spinpet.socketio.rate_limited_packets", FigureKind.Counter, "{packet}", "Inbound packets dropped by the per-session token bucket (error 1004).",
                () => counters.RateLimited),
            new("spinpet.socketio.oversize_packets", FigureKind.Counter, "{packet}", "Inbound packets or payloads over the size limits (error 1005).",
                () => counters.TooLarge),
            new("spinpet.socketio.handler_failures", FigureKind.Counter, "{call}", "Namespace handler calls that threw (each closes its session).",
                () => counters.HandlerFailures),
        ];
        foreach (var figure in figures)
        {
            figure.Export(meter);
        }
    }
}
