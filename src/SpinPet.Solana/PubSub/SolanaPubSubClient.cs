using System.Net.WebSockets;
using System.Text.Json;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using SpinPet.Solana.Ingest;
using SpinPet.Solana.Rpc;

namespace SpinPet.Solana.PubSub;

/// <summary>
/// Follows the program over the node's PubSub WebSocket: <c>logsSubscribe</c> (mentions = program id) plus
/// <c>slotSubscribe</c> as a heartbeat and chain clock. Reconnects forever with capped, jittered back-off.
/// The reader never waits on anyone: notifications go to a bounded queue with <c>TryWrite</c>; when the queue is
/// full it stops queueing and asks the applier for a resync (a backfill from the checkpoint recovers every
/// dropped notification, because all of them are newer than the checkpoint). Everything it queues or requests is
/// counted in the <see cref="IngestBacklog"/> until the applier has stored it.
/// </summary>
public sealed partial class SolanaPubSubClient
{
    // A transaction's log is cut by the runtime at 10 KB; 1 MiB leaves room for any honest notification.
    private const int MaxMessageBytes = 1 << 20;

    /// <summary>
    /// Bound of the frame bytes of the notifications queued at once, beside the count bound
    /// (<c>solana.live_queue_capacity</c>): a node sending 1 MiB notifications would otherwise make 20,000 of them
    /// 20 GB. Honest ones are 1-5 KB, so 20,000 of them fit; past it the overflow policy applies (drop, count, resync).
    /// Held as .NET strings the logs take up to twice their UTF-8 size: ~128 MiB at most.
    /// </summary>
    public const long DefaultMaxQueuedBytes = 64L << 20;
    private const long LogsRequestId = 1;
    private const long SlotRequestId = 2;

    private readonly Uri _uri;
    private readonly string _programId;
    private readonly string _commitment;
    private readonly TimeSpan _idleTimeout;
    private readonly ILogger _logger;
    private readonly Channel<LiveNotification> _queue;
    private readonly Action<ulong>? _slotSeen;
    private readonly BadInputLog _badInput;
    private readonly IngestBacklog _backlog;
    private readonly long _maxQueuedBytes;
    private long _queuedBytes;
    private int _resyncRequested;
    // Unix ms of the newest slot notification on this connection; -1 while it has no slot subscription.
    private long _slotHeardAtMs = -1;
    private volatile bool _discarding;
    private long _latestSlot;
    private volatile PubSubState _state = PubSubState.Disconnected;
    private volatile string? _lastError;

    public SolanaPubSubClient(
        Uri uri, string programId, string commitment, TimeSpan idleTimeout, int queueCapacity, ILogger logger, Action<ulong>? slotSeen = null,
        IngestBacklog? backlog = null, long maxQueuedBytes = DefaultMaxQueuedBytes)
    {
        _backlog = backlog ?? new IngestBacklog();
        _maxQueuedBytes = maxQueuedBytes;
        _uri = uri;
        _programId = programId;
        _commitment = commitment;
        _idleTimeout = idleTimeout;
        _logger = logger;
        _slotSeen = slotSeen;
        _badInput = new BadInputLog(logger, TimeProvider.System);
        _queue = Channel.CreateBounded<LiveNotification>(new BoundedChannelOptions(queueCapacity)
        {
            SingleReader = true,
            SingleWriter = true,
            FullMode = BoundedChannelFullMode.Wait, // never waited on: the reader only calls TryWrite
        });
    }

    public ChannelReader<LiveNotification> Notifications => _queue.Reader;

    /// <summary>Frame bytes of the notifications queued now (bounded by the constructor's <c>maxQueuedBytes</c>).</summary>
    public long QueuedBytes => Volatile.Read(ref _queuedBytes);

    /// <summary>Takes the next queued item, releasing its bytes from the byte bound (the applier reads through this).</summary>
    public bool TryRead([System.Diagnostics.CodeAnalysis.MaybeNullWhen(false)] out LiveNotification item)
    {
        if (!_queue.Reader.TryRead(out item))
        {
            return false;
        }
        Interlocked.Add(ref _queuedBytes, -item.FrameBytes);
        return true;
    }

    public PubSubCounters Counters { get; } = new();

    public PubSubState State => _state;

    public string? LastError => _lastError;

    /// <summary>The newest slot the node told us about (slot or logs notifications); 0 before any.</summary>
    public ulong LatestSlot => (ulong)Volatile.Read(ref _latestSlot);

    /// <summary>
    /// The moment (unix ms) of the newest slot notification, or null when this connection has no slot subscription
    /// (not confirmed yet, refused, or no connection).
    /// </summary>
    public long? SlotHeardAtMs => Volatile.Read(ref _slotHeardAtMs) is >= 0 and var heard ? heard : null;

    /// <summary>A resync was requested (a new subscription, an overflow, a notification that could not be read).</summary>
    public bool ResyncRequested => Volatile.Read(ref _resyncRequested) == 1;

    /// <summary>
    /// Takes the resync request: true once after every (re)subscription, overflow or unreadable notification. The
    /// applier holds a resync in the backlog of its own before it calls this.
    /// </summary>
    public bool TryTakeResync()
    {
        if (Interlocked.Exchange(ref _resyncRequested, 0) == 1)
        {
            _backlog.ResyncDone();
            return true;
        }
        return false;
    }

    /// <summary>
    /// After an overflow the queue holds a stale prefix with a hole after it: empty it and resume queueing. Call
    /// right before the backfill's first page is requested, so that everything dropped is in that backfill, and with
    /// a resync held in the backlog (the emptied items leave it here).
    /// </summary>
    public void ClearAfterOverflow()
    {
        long drained = 0;
        while (TryRead(out _))
        {
            drained++;
        }
        _backlog.LiveDone(drained);
        _discarding = false;
    }

    public bool Overflowed => _discarding;

    /// <summary>
    /// Connects, subscribes and reads until <paramref name="ct"/> is cancelled. Nothing else ends it: every failure
    /// (a refused subscription, a dead socket, a bug) costs a back-off and a reconnect, because the ingest has no
    /// other source of live notifications.
    /// </summary>
    public async Task RunAsync(CancellationToken ct)
    {
        var backoff = new Backoff(TimeSpan.FromMilliseconds(250), TimeSpan.FromSeconds(30));
        while (!ct.IsCancellationRequested)
        {
            var startedAt = DateTime.UtcNow;
            _state = PubSubState.Connecting;
            try
            {
                await ConnectAndReadAsync(ct);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                break;
            }
            catch (SubscriptionRefusedException ex)
            {
                Counters.SubscribeRefused.Add(1);
                _lastError = ex.Message;
                LogSubscribeRefused(_logger, ex.Method, ex.NodeAnswer);
            }
            catch (Exception ex) when (ex is WebSocketException or IOException or OperationCanceledException or TimeoutException)
            {
                _lastError = ex.Message;
                LogDisconnected(_logger, ex.Message);
            }
            catch (Exception ex)
            {
                // Not a network failure: a bug or an answer nobody foresaw. It must cost a reconnect, not the reader.
                Counters.ReaderFailures.Add(1);
                _lastError = $"{ex.GetType().Name}: {ex.Message}";
                LogReaderFailed(_logger, ex.GetType().Name, ex.Message, ex);
            }
            _state = PubSubState.Disconnected;
            Counters.Disconnects.Add(1);
            // A connection that lived a while was healthy: start the back-off from the bottom again.
            if (DateTime.UtcNow - startedAt > TimeSpan.FromSeconds(60))
            {
                backoff.Reset();
            }
            var wait = backoff.Next();
            LogReconnecting(_logger, (long)wait.TotalMilliseconds, backoff.Attempt);
            try
            {
                await Task.Delay(wait, ct);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
        _state = PubSubState.Disconnected;
    }

    /// <summary>The applier found a live notification whose signature does not parse: counted and logged as bad input.</summary>
    internal void ReportBadSignature(string signature)
    {
        Counters.Garbage.Add(1);
        _badInput.Report(BadInputKind.BadSignature, signature);
    }

    private async Task ConnectAndReadAsync(CancellationToken ct)
    {
        using var socket = new ClientWebSocket();
        // Pings keep NATs and node proxies from closing an idle socket; a missing pong means a dead peer.
        socket.Options.KeepAliveInterval = TimeSpan.FromMilliseconds(Math.Max(1000, _idleTimeout.TotalMilliseconds / 3));
        socket.Options.KeepAliveTimeout = _idleTimeout;
        using (var connectTimeout = CancellationTokenSource.CreateLinkedTokenSource(ct))
        {
            connectTimeout.CancelAfter(_idleTimeout);
            await socket.ConnectAsync(_uri, connectTimeout.Token);
        }
        Counters.Connects.Add(1);
        Volatile.Write(ref _slotHeardAtMs, -1);
        await SendAsync(socket, LogsSubscribeRequest(), ct);
        await SendAsync(socket, SlotSubscribeRequest(), ct);

        var subscriptions = new Subscriptions();
        using var buffer = new ReceiveBuffer();
        using var idle = CancellationTokenSource.CreateLinkedTokenSource(ct);
        try
        {
            while (true)
            {
                // With a slot subscription the node talks several times a second; silence then means a dead socket.
                idle.CancelAfter(subscriptions.Slot is null ? Timeout.InfiniteTimeSpan : _idleTimeout);
                var (length, kind) = await ReceiveIntoAsync(socket, buffer, idle.Token);
                if (kind == WebSocketMessageType.Close)
                {
                    throw new WebSocketException($"the node closed the socket ({socket.CloseStatus} {socket.CloseStatusDescription})");
                }
                if (length < 0)
                {
                    Counters.Oversize.Add(1);
                    _badInput.Report(BadInputKind.Oversize, $"a message over {MaxMessageBytes} bytes");
                    continue;
                }
                if (kind != WebSocketMessageType.Text)
                {
                    Counters.Garbage.Add(1);
                    _badInput.Report(BadInputKind.BinaryFrame, $"{length} bytes: {Convert.ToHexString(buffer.Bytes, 0, Math.Min(length, 32))}");
                    continue;
                }
                Handle(buffer.Bytes.AsMemory(0, length), subscriptions);
            }
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            throw new TimeoutException($"no frame from the node for {_idleTimeout.TotalMilliseconds:0} ms");
        }
        finally
        {
            Volatile.Write(ref _slotHeardAtMs, -1);
        }
    }

    private static long NowMs() => TimeProvider.System.GetUtcNow().ToUnixTimeMilliseconds();

    private void NoteSlot(ulong slot)
    {
        long current;
        do
        {
            current = Volatile.Read(ref _latestSlot);
            if ((ulong)current >= slot)
            {
                return;
            }
        }
        while (Interlocked.CompareExchange(ref _latestSlot, (long)slot, current) != current);
    }

    private void RequestResync()
    {
        // Counted before the flag is visible, so that the applier's release in TryTakeResync always follows it.
        _backlog.ResyncAdded();
        if (Interlocked.Exchange(ref _resyncRequested, 1) == 1)
        {
            _backlog.ResyncDone();
        }
        // The wake marks where a new subscription's notifications start: the applier stops reading at it and resyncs
        // first, so none of them is applied before the backfill has closed the gap behind them. With no room for it,
        // queueing stops as after an overflow (the applier empties the queue and the backfill brings what was dropped).
        _backlog.LiveAdded();
        if (!_queue.Writer.TryWrite(LiveNotification.Wake))
        {
            _backlog.LiveDone(1);
            _discarding = true;
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Subscribed to program logs at {Node}")]
    private static partial void LogSubscribed(ILogger logger, string node);

    [LoggerMessage(Level = LogLevel.Warning, Message = "PubSub connection lost: {Reason}")]
    private static partial void LogDisconnected(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Reconnecting to the PubSub node in {DelayMs} ms (attempt {Attempt})")]
    private static partial void LogReconnecting(ILogger logger, long delayMs, int attempt);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The node refused {Method}: {NodeAnswer}; reconnecting")]
    private static partial void LogSubscribeRefused(ILogger logger, string method, string nodeAnswer);

    [LoggerMessage(Level = LogLevel.Error, Message = "The PubSub reader failed ({Kind}: {Reason}); reconnecting")]
    private static partial void LogReaderFailed(ILogger logger, string kind, string reason, Exception exception);

    [LoggerMessage(Level = LogLevel.Information, Message = "The node refused slotSubscribe; relying on WebSocket pings to detect a dead socket")]
    private static partial void LogSlotSubscribeRefused(ILogger logger);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The live queue is full ({Queued} notifications, {Bytes} bytes): dropping notifications until a backfill from the checkpoint recovers them")]
    private static partial void LogOverflow(ILogger logger, int queued, long bytes);
}
