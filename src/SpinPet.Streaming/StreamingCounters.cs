using System.Diagnostics.Metrics;
using SpinPet.Core.Figures;
using SpinPet.Streaming.Sessions;
using SpinPet.WebSockets;

namespace SpinPet.Streaming;

/// <summary>
/// What the /ws service did (design document §7.2): its <see cref="Figure"/>s, each exported on the meter the host
/// gives (<c>/metrics</c>) and read by the status routes, and the broadcast latency histogram, recorded as frames are
/// handed over. Names and units are chosen for the Prometheus exporter, which turns dots into underscores, appends
/// the unit (<c>ms</c> → <c>_milliseconds</c>, <c>By</c> → <c>_bytes</c>; a <c>{…}</c> annotation adds nothing) and
/// <c>_total</c> to counters.
/// </summary>
public sealed class StreamingCounters
{
    public const string BroadcastLatencyName = "spinpet.ws.broadcast_latency";

    private readonly Histogram<double>? _broadcastLatency;

    /// <param name="meter">Where the instruments go (the host's <c>SpinPet</c> meter); none without it.</param>
    /// <param name="frameLimit">The inbound limit whose refusals <see cref="RateLimitedMessages"/> reports.</param>
    /// <param name="outboxBudget">The process's outbox budget, whose figures are exported beside these.</param>
    public StreamingCounters(Meter? meter = null, FrameRateLimit? frameLimit = null, OutboxBudget? outboxBudget = null)
    {
        RateLimitedMessages = new("spinpet.ws.rate_limited_messages", FigureKind.Counter, "{frame}",
            "Inbound frames refused by the per-connection token bucket: dropped messages (error 1004), unanswered pings, pongs.",
            () => frameLimit?.RefusedFrames ?? 0);
        if (meter is null)
        {
            return;
        }
        Figure[] exported =
        [
            ActiveConnections, Subscriptions, MessagesSent, SocketWrites, MessagesFailed, SlowConsumerCloses, ConflatedUpdates, CompressedMessages,
            BroadcastDroppedUpdates, BroadcastResyncs, RefusedConnections, ConnectionLevelAccepts, SocketLevelAccepts, RateLimitedMessages, OutboxPeakBytes,
        ];
        foreach (var figure in exported)
        {
            figure.Export(meter);
        }
        if (outboxBudget is not null)
        {
            new Figure("spinpet.ws.outbox_reserved_bytes", FigureKind.UpDown, "By",
                "Bytes the outboxes hold now beyond the first 64 KiB of each, reserved in 64 KiB chunks from websocket.max_outbox_bytes_total.",
                () => outboxBudget.Reserved).Export(meter);
            new Figure("spinpet.ws.outbox_address_peak_bytes", FigureKind.Gauge, "By",
                "The most one address's outboxes have reserved at once beyond 64 KiB each (at most websocket.max_outbox_bytes_per_ip).",
                () => outboxBudget.AddressPeakReserved).Export(meter);
        }
        OutboxBudgetCloses.Export(meter);
        _broadcastLatency = meter.CreateHistogram<double>(BroadcastLatencyName, "ms", "From the candle write to the hand-over of its frame to a socket.");
    }

    public Figure ActiveConnections { get; } = new("spinpet.ws.active_connections", FigureKind.UpDown, "{connection}", "Open /ws connections.");

    public Figure Subscriptions { get; } = new("spinpet.ws.subscriptions", FigureKind.UpDown, "{subscription}", "Active K-line subscriptions over all connections.");

    public Figure MessagesSent { get; } = new("spinpet.ws.messages_sent", FigureKind.Counter, "{message}", "Messages written to /ws sockets.");

    public Figure SocketWrites { get; } = new("spinpet.ws.socket_writes", FigureKind.Counter, "{write}",
        "Socket writes carrying /ws messages: messages_sent / socket_writes is how many messages one write carries.");

    public Figure MessagesFailed { get; } = new("spinpet.ws.messages_failed", FigureKind.Counter, "{message}", "Messages whose socket write failed or timed out.");

    /// <summary>A client caught by more than one slow-consumer rule is counted once.</summary>
    public Figure SlowConsumerCloses { get; } = new("spinpet.ws.slow_consumer_closes", FigureKind.Counter, "{connection}",
        "Connections ended as slow consumers: outbox over its bound (close 1008) or a send stalled past the send timeout (aborted).");

    public Figure ConflatedUpdates { get; } = new("spinpet.ws.conflated_updates", FigureKind.Counter, "{update}",
        "Realtime candle states replaced in an outbox by a newer state of the same candle.");

    /// <summary>Messages sent compressed; a candle frame is compressed once however many get it.</summary>
    public Figure CompressedMessages { get; } = new("spinpet.ws.compressed_messages", FigureKind.Counter, "{message}",
        "Messages sent with permessage-deflate (websocket.compression).");

    /// <summary>States dropped at the fan-out queue's bound; their topics' subscribers were resynchronized from storage instead.</summary>
    public Figure BroadcastDroppedUpdates { get; } = new("spinpet.ws.broadcast_dropped_updates", FigureKind.Counter, "{update}",
        "Candle states not fanned out because kline.broadcast_buffer_size was reached; their topics resynchronized from storage.");

    public Figure BroadcastResyncs { get; } = new("spinpet.ws.broadcast_resyncs", FigureKind.Counter, "{topic}",
        "Topics whose subscribers were brought up to date from storage after the fan-out queue overflowed.");

    public Figure ConnectionLevelAccepts { get; } = new("spinpet.ws.connection_level_accepts", FigureKind.Counter, "{connection}",
        "/ws upgrades taken at the connection level, before Kestrel's HTTP objects exist (websocket.early_accept).");

    public Figure SocketLevelAccepts { get; } = new("spinpet.ws.socket_level_accepts", FigureKind.Counter, "{connection}",
        "Of the connection-level /ws accepts, those served off the bare socket, without Kestrel's transport.");

    public Figure RefusedConnections { get; } = new("spinpet.ws.refused_connections", FigureKind.Counter, "{connection}",
        "Connections refused by websocket.max_connections or max_connections_per_ip.");

    /// <summary>Kept by the inbound limit (<see cref="FrameRateLimit.RefusedFrames"/>); exported from here.</summary>
    public Figure RateLimitedMessages { get; }

    /// <summary>Observed when a connection ends or overflows; never more than <c>websocket.max_outbox_bytes</c>.</summary>
    public Figure OutboxPeakBytes { get; } = new("spinpet.ws.outbox_peak_bytes", FigureKind.Gauge, "By",
        "The most bytes any connection's outbox has held, observed when it ended or overflowed (at most websocket.max_outbox_bytes).");

    /// <summary>Also counted in <see cref="SlowConsumerCloses"/>.</summary>
    public Figure OutboxBudgetCloses { get; } = new("spinpet.ws.outbox_budget_closes", FigureKind.Counter, "{connection}",
        "Slow consumers closed (1008) because their address's or the server's outbox budget was spent.");

    /// <summary>Publish-to-send latency of a candle frame handed to a socket.</summary>
    internal void Latency(double milliseconds) => _broadcastLatency?.Record(milliseconds);
}
