using NATS.Client.Core;

namespace SpinPet.Cluster;

/// <summary>
/// What a node of a NATS cluster needs to know (shared/spec/cluster.md, <c>[cluster]</c>), and the names derived from
/// the stream's: the subject <c>spinpet.&lt;stream&gt;.batch</c>, the lease bucket <c>&lt;stream&gt;_lease</c> and its key.
/// </summary>
/// <param name="Stream">The JetStream stream (letters, digits, '-' and '_'; validated by the host).</param>
/// <param name="MaxReadyLag">A node is ready within this many stream messages of the stream's end.</param>
public sealed record ClusterSettings(string NatsUrl, string Stream, string NodeId, TimeSpan LeaseTtl, long MaxReadyLag)
{
    /// <summary>The lease's one key in its bucket.</summary>
    public const string LeaseKey = "ingest-leader";

    /// <summary>
    /// Deadline of one JetStream call. NATS.Net's own request timeout is 5 s, but a call made while the client is
    /// reconnecting waits for the reconnect with no timeout at all (docs/research/nats-spike.md, item 4): every call
    /// passes a token with this deadline.
    /// </summary>
    public TimeSpan CallTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>How often a follower asks the stream where its end is (lag, readiness, a recreated stream).</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromSeconds(1);

    public string Subject => $"spinpet.{Stream}.batch";

    public string LeaseBucket => $"{Stream}_lease";

    /// <summary>
    /// Connection options for every node: pings every 5 s (2 outstanding), so a hung server or a partition is noticed
    /// in ~10-15 s instead of the default 2 min; reconnects forever, 250 ms to 2 s apart, so a restarted server is
    /// found within about 2 s (the defaults, 2-5 s, were measured to cost up to 5 s in the spike).
    /// </summary>
    public NatsOpts ConnectionOptions(Microsoft.Extensions.Logging.ILoggerFactory loggers) => NatsOpts.Default with
    {
        Url = NatsUrl,
        Name = $"spinpet-{NodeId}",
        LoggerFactory = loggers,
        PingInterval = TimeSpan.FromSeconds(5),
        MaxPingOut = 2,
        MaxReconnectRetry = -1,
        ReconnectWaitMin = TimeSpan.FromMilliseconds(250),
        ReconnectWaitMax = TimeSpan.FromSeconds(2),
        RequestTimeout = CallTimeout,
    };
}
