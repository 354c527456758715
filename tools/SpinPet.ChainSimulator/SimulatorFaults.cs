using SpinPet.ChainSimulator.PubSub;

namespace SpinPet.ChainSimulator;

/// <summary>
/// Misbehaviour a real node or its load balancer shows, switchable while the simulator runs. Every member is
/// thread-safe; <see cref="Reset"/> turns everything back off.
/// </summary>
public sealed partial class SimulatorFaults
{
    public const int DefaultHttpErrorStatus = 429;
    public const int DefaultRetryAfterSeconds = 1;

    private readonly PubSubHub _hub;
    private long _refuseUntilMs;
    private double _httpErrorRate;
    private int _httpErrorStatus = DefaultHttpErrorStatus;
    private int _retryAfterSeconds = DefaultRetryAfterSeconds;
    private long _responseDelayTicks;

    internal SimulatorFaults(PubSubHub hub) => _hub = hub;

    /// <summary>
    /// True while new WebSocket upgrades and HTTP requests are aborted (the TCP connection is reset; a kept-alive
    /// HTTP connection is reset on its next request).
    /// </summary>
    public bool RefuseConnections
    {
        get => Environment.TickCount64 < Volatile.Read(ref _refuseUntilMs);
        set => Volatile.Write(ref _refuseUntilMs, value ? long.MaxValue : 0);
    }

    /// <summary>Share of HTTP JSON-RPC requests answered with <see cref="HttpErrorStatus"/> instead of a result.</summary>
    public double HttpErrorRate
    {
        get => Volatile.Read(ref _httpErrorRate);
        set
        {
            if (double.IsNaN(value) || value < 0 || value > 1)
            {
                throw new ArgumentOutOfRangeException(nameof(value), value, "A rate is between 0 and 1.");
            }
            Volatile.Write(ref _httpErrorRate, value);
        }
    }

    /// <summary>The injected status: 429 (rate limited, with Retry-After), another 4xx (a bad key) or a 5xx.</summary>
    public int HttpErrorStatus
    {
        get => Volatile.Read(ref _httpErrorStatus);
        set
        {
            if (value is < 400 or > 599)
            {
                throw new ArgumentOutOfRangeException(nameof(value), value, "Use a 4xx or 5xx status.");
            }
            Volatile.Write(ref _httpErrorStatus, value);
        }
    }

    /// <summary>The <c>Retry-After</c> header sent with an injected 429.</summary>
    public int RetryAfterSeconds
    {
        get => Volatile.Read(ref _retryAfterSeconds);
        set
        {
            ArgumentOutOfRangeException.ThrowIfNegative(value);
            Volatile.Write(ref _retryAfterSeconds, value);
        }
    }

    /// <summary>Delay before each HTTP JSON-RPC request is answered (a slow or distant node).</summary>
    public TimeSpan ResponseDelay
    {
        get => TimeSpan.FromTicks(Volatile.Read(ref _responseDelayTicks));
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, TimeSpan.Zero);
            Volatile.Write(ref _responseDelayTicks, value.Ticks);
        }
    }

    /// <summary>Refuses connections for <paramref name="duration"/>, then accepts them again by itself.</summary>
    public void RefuseFor(TimeSpan duration)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(duration, TimeSpan.Zero);
        Volatile.Write(ref _refuseUntilMs, Environment.TickCount64 + (long)duration.TotalMilliseconds);
    }

    /// <summary>Aborts every PubSub connection without a close handshake, like a node restart.</summary>
    public void DropAllSockets() => _hub.DropAll();

    /// <summary>
    /// Sends every PubSub connection, in order: non-JSON text, a notification with wrongly typed fields, a
    /// notification for an unknown subscription, an unknown method, a 2 MB message and a binary frame. The
    /// connections then carry on normally.
    /// </summary>
    public void SendGarbage() => _hub.SendGarbage();

    /// <summary>
    /// Sends, on every logs subscription, two logs notifications whose <c>value.signature</c> is not a transaction
    /// signature (not base58; base58 of 32 bytes instead of 64), each carrying a well-formed event of the program.
    /// A client must skip them (nothing to fetch or store them under); the connections then carry on normally.
    /// </summary>
    public void SendBadSignatureNotifications() => _hub.SendBadSignatureNotifications();

    /// <summary>
    /// Answers the next <paramref name="times"/> logsSubscribe requests (on any connection) with a JSON-RPC error,
    /// as an overloaded node or a provider over its subscription quota does. slotSubscribe is still served.
    /// </summary>
    public void RefuseLogsSubscribe(int times)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(times);
        _hub.RefuseLogsSubscribe(times);
    }

    /// <summary>
    /// Every open PubSub connection goes silent: no more frames, and its incoming bytes are left unread so pings go
    /// unanswered, while the TCP connection stays open (a peer that vanished without FIN or RST, a NAT that lost its
    /// mapping). The client must notice by itself; connections opened afterwards are served normally.
    /// </summary>
    public void SilenceAllSockets() => _hub.SilenceAll();

    /// <summary>Turns every fault off (silenced connections stay silent until their client closes them).</summary>
    public void Reset()
    {
        RefuseLogsSubscribe(0);
        RefuseConnections = false;
        HttpErrorRate = 0;
        HttpErrorStatus = DefaultHttpErrorStatus;
        RetryAfterSeconds = DefaultRetryAfterSeconds;
        ResponseDelay = TimeSpan.Zero;
        ResetAnswerFaults();
        ResetLies();
    }

    internal bool ShouldFailHttpRequest()
    {
        double rate = HttpErrorRate;
        // Fault dice use their own generator so that injecting faults never changes the chain a seed produces.
        return rate > 0 && (rate >= 1 || Random.Shared.NextDouble() < rate);
    }
}
