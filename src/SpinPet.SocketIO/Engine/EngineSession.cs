using Microsoft.Extensions.Logging;
using SpinPet.SocketIO.Namespaces;
using SpinPet.SocketIO.Protocol;

namespace SpinPet.SocketIO.Engine;

/// <summary>
/// One Engine.IO session: its id, its transport (long-polling, or a websocket from the start or after the upgrade),
/// its bounded outbox, the heartbeat and its Socket.IO namespaces. Open → Closing (no input handled any more; what
/// the outbox still holds, and the close, may go out for at most <see cref="CloseLinger"/>) → Closed (transport
/// released, removed from the server). Inbound packets are handled one at a time (<see cref="ReceiveAsync"/>); the
/// namespace handlers hear of the end only after a call in progress has returned.
/// </summary>
internal sealed partial class EngineSession
{
    private const int StateOpen = 0;
    private const int StateClosing = 1;
    private const int StateClosed = 2;

    private const int UpgradeNone = 0;
    private const int UpgradeProbing = 1;
    private const int UpgradeDone = 2;

    /// <summary>How long a closing session waits for its transport to carry the last packets and the close.</summary>
    private static readonly TimeSpan CloseLinger = TimeSpan.FromSeconds(5);

    private readonly SocketIOServer _server;
    private readonly CancellationTokenSource _closing = new();
    private readonly CancellationTokenSource _aborted = new();
    private readonly SemaphoreSlim _dispatch = new(1, 1);
    private readonly Lock _timerGate = new();
    private readonly ITimer _timer;
    private readonly PacketBucket _bucket;
    private readonly long _openedAt;
    private long _lastReceivedAt;
    private int _state;
    private int _webSocket;
    private int _upgrade;
    private int _pollInFlight;
    private int _postInFlight;
    private int _disconnectsRun;
    private bool _awaitingPong;

    public EngineSession(SocketIOServer server, string id, string address, bool webSocket, ISocketIOOutboxCredit? outboxCredit = null)
    {
        _server = server;
        Id = id;
        Address = address;
        _webSocket = webSocket ? 1 : 0;
        var options = server.Options;
        Outbox = new EngineOutbox(options.MaxOutboxBytes, outboxCredit);
        SocketIO = new SocketIOConnection(this, server);
        _bucket = new PacketBucket(options.PacketBurst, options.PacketsPerSecond, server.Time);
        _openedAt = server.Time.GetTimestamp();
        _lastReceivedAt = _openedAt;
        _timer = server.Time.CreateTimer(static state => ((EngineSession)state!).OnTimer(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    public string Id { get; }

    public string Address { get; }

    public EngineOutbox Outbox { get; }

    public SocketIOConnection SocketIO { get; }

    public SocketIOServer Server => _server;

    public SocketIOServerOptions Options => _server.Options;

    public SocketIOCounters Counters => _server.Counters;

    public bool IsWebSocket => Volatile.Read(ref _webSocket) == 1;

    /// <summary>Time since the client's last packet (a pong included), or since the handshake.</summary>
    public TimeSpan SinceLastReceived => _server.Time.GetElapsedTime(Volatile.Read(ref _lastReceivedAt));

    public bool IsOpen => Volatile.Read(ref _state) == StateOpen;

    public bool IsClosed => Volatile.Read(ref _state) == StateClosed;

    /// <summary>A websocket probe is under way: polling GETs return at once (a noop when nothing waits) so the client can pause.</summary>
    public bool IsUpgrading => Volatile.Read(ref _upgrade) == UpgradeProbing;

    public SocketIODisconnectReason CloseReason { get; private set; }

    /// <summary>The websocket close code that goes with <see cref="CloseReason"/>.</summary>
    public int CloseCode { get; private set; } = 1000;

    /// <summary>Cancelled when the session starts closing: nothing the client sends is handled after it.</summary>
    public CancellationToken Closing => _closing.Token;

    /// <summary>Cancelled when the session is torn down: transports stop reading and writing.</summary>
    public CancellationToken Aborted => _aborted.Token;

    /// <summary>Queues the open packet and starts the heartbeat (the first ping one interval from now).</summary>
    public void Start()
    {
        var handshake = new EngineHandshake(Id, IsWebSocket ? [] : ["websocket"],
            (int)Options.PingInterval.TotalMilliseconds, (int)Options.PingTimeout.TotalMilliseconds, Options.MaxPayloadBytes);
        TrySend(new EngineTextMessage(SocketIOPacketWriter.Open(handshake)));
        lock (_timerGate)
        {
            _timer.Change(Options.PingInterval, Timeout.InfiniteTimeSpan);
        }
    }

    /// <summary>Queues a packet; false when the session is closing or the outbox overflowed (which closes the session).</summary>
    public bool TrySend(in EngineTextMessage message)
    {
        switch (Outbox.TryEnqueue(message))
        {
            case OutboxResult.Accepted:
                return true;
            case OutboxResult.Overflow:
                Close(SocketIODisconnectReason.SlowConsumer);
                return false;
            case OutboxResult.BudgetSpent:
                Counters.OutboxBudgetClose();
                Close(SocketIODisconnectReason.SlowConsumer);
                return false;
            default:
                return false;
        }
    }

    /// <summary>
    /// Starts closing (idempotent). The client is gone (ping timeout, its transport ended): torn down at once.
    /// Otherwise the transport gets what is left and the close (<c>1</c> on polling, a close frame with
    /// <paramref name="webSocketCode"/> on a websocket) within <see cref="CloseLinger"/>; queued packets are kept only
    /// where they are the answer the close follows (a refusal, shutdown).
    /// </summary>
    public void Close(SocketIODisconnectReason reason, int webSocketCode = 0)
    {
        if (Interlocked.CompareExchange(ref _state, StateClosing, StateOpen) != StateOpen)
        {
            return;
        }
        CloseReason = reason;
        CloseCode = webSocketCode != 0 ? webSocketCode : DefaultCloseCode(reason);
        _server.OnClosing(this, reason);
        bool keepQueued = reason is SocketIODisconnectReason.Refused or SocketIODisconnectReason.ServerShutdown;
        Outbox.Close(discard: !keepQueued);
        _closing.Cancel();
        if (reason is SocketIODisconnectReason.PingTimeout or SocketIODisconnectReason.TransportClose)
        {
            Teardown();
        }
        else
        {
            lock (_timerGate)
            {
                _timer.Change(CloseLinger, Timeout.InfiniteTimeSpan);
            }
        }
        TryRunDisconnects();
    }

    /// <summary>Releases the session for good: transports stop, the timer ends, the server forgets it (idempotent).</summary>
    public void Teardown()
    {
        Close(SocketIODisconnectReason.TransportClose);
        if (Interlocked.Exchange(ref _state, StateClosed) == StateClosed)
        {
            return;
        }
        _aborted.Cancel();
        lock (_timerGate)
        {
            _timer.Dispose();
        }
        Outbox.Close(discard: true);
        _server.Remove(this);
    }

    /// <summary>Claims the one polling GET (or POST) a session may have outstanding; false for an overlap.</summary>
    public bool TryBeginPoll(bool post) => Interlocked.Exchange(ref post ? ref _postInFlight : ref _pollInFlight, 1) == 0;

    /// <summary>A polling GET is outstanding (held until there is something to send).</summary>
    public bool IsPollPending => Volatile.Read(ref _pollInFlight) == 1;

    public void EndPoll(bool post) => Volatile.Write(ref post ? ref _postInFlight : ref _pollInFlight, 0);

    /// <summary>A websocket probe for this polling session starts; false when one is under way or done.</summary>
    public bool TryBeginUpgrade() => IsOpen && !IsWebSocket && Interlocked.CompareExchange(ref _upgrade, UpgradeProbing, UpgradeNone) == UpgradeNone;

    /// <summary>The probe failed or timed out: the session stays on polling and may try again.</summary>
    public void AbandonUpgrade() => Interlocked.CompareExchange(ref _upgrade, UpgradeNone, UpgradeProbing);

    /// <summary>
    /// The client sent the upgrade packet on the probe: from now on the websocket carries the session; a GET still
    /// pending returns a noop, and later polling requests are refused.
    /// </summary>
    public bool CompleteUpgrade()
    {
        if (!IsOpen || Interlocked.CompareExchange(ref _upgrade, UpgradeDone, UpgradeProbing) != UpgradeProbing)
        {
            return false;
        }
        Volatile.Write(ref _webSocket, 1);
        _server.OnUpgraded(this);
        Outbox.Wake();
        return true;
    }

    /// <summary>Tells a namespace handler its client left (exceptions are logged, never thrown back).</summary>
    public void NotifyDisconnect(SocketIOSocket socket, SocketIODisconnectReason reason)
    {
        try
        {
            socket.Handler.OnDisconnect(socket, reason);
        }
        catch (Exception ex)
        {
            Counters.HandlerFailed();
            SocketIOLog.HandlerFailed(_server.Logger, ex, socket.Namespace, Id);
        }
    }

    /// <summary>
    /// Once closing, tells every namespace handler, but never while a dispatch is in progress: if one is, it runs
    /// this when it ends. The dispatch semaphore is then kept, so nothing is dispatched after the handlers heard.
    /// </summary>
    private void TryRunDisconnects()
    {
        if (IsOpen || !_dispatch.Wait(0))
        {
            return;
        }
        if (Interlocked.Exchange(ref _disconnectsRun, 1) == 1)
        {
            return;
        }
        foreach (var socket in SocketIO.TakeAll())
        {
            if (socket.TryMarkDisconnected())
            {
                NotifyDisconnect(socket, CloseReason);
            }
        }
    }

    private void OnTimer()
    {
        SocketIODisconnectReason? close = null;
        bool ping = false;
        bool teardown = false;
        lock (_timerGate)
        {
            switch (Volatile.Read(ref _state))
            {
                case StateClosed:
                    return;
                case StateClosing:
                    // The linger ended before the transport finished the close.
                    teardown = true;
                    break;
                default:
                    if (_awaitingPong)
                    {
                        close = SocketIODisconnectReason.PingTimeout;
                    }
                    else if (!SocketIO.HasJoined && _server.Time.GetElapsedTime(_openedAt) >= Options.ConnectTimeout)
                    {
                        close = SocketIODisconnectReason.ConnectTimeout;
                    }
                    else
                    {
                        ping = true;
                        _awaitingPong = true;
                        _timer.Change(Options.PingTimeout, Timeout.InfiniteTimeSpan);
                    }
                    break;
            }
        }
        if (teardown)
        {
            Teardown();
        }
        else if (close is { } reason)
        {
            Close(reason);
        }
        else if (ping)
        {
            TrySend(new EngineTextMessage(EnginePackets.Ping));
        }
    }

    private void OnPong()
    {
        lock (_timerGate)
        {
            if (_awaitingPong && IsOpen)
            {
                _awaitingPong = false;
                _timer.Change(Options.PingInterval, Timeout.InfiniteTimeSpan);
            }
        }
    }

    private static int DefaultCloseCode(SocketIODisconnectReason reason) => reason switch
    {
        SocketIODisconnectReason.ProtocolError => 1002,
        SocketIODisconnectReason.SlowConsumer or SocketIODisconnectReason.Refused => 1008,
        SocketIODisconnectReason.HandlerFailure => 1011,
        SocketIODisconnectReason.ServerShutdown => 1001,
        _ => 1000,
    };
}
