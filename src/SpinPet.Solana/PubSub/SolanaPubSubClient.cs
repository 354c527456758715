using System.Buffers;
using System.Net.WebSockets;
using System.Text.Json;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using SpinPet.Solana.Rpc;

namespace SpinPet.Solana.PubSub;

/// <summary>
/// Follows the program over the node's PubSub WebSocket: <c>logsSubscribe</c> (mentions = program id) plus
/// <c>slotSubscribe</c> as a heartbeat and chain clock. Reconnects forever with capped, jittered back-off.
/// The reader never waits on anyone: notifications go to a bounded queue with <c>TryWrite</c>; when the queue is
/// full it stops queueing and asks the applier for a resync (a backfill from the checkpoint recovers every
/// dropped notification, because all of them are newer than the checkpoint).
/// </summary>
public sealed partial class SolanaPubSubClient
{
    // A transaction's log is cut by the runtime at 10 KB; 1 MiB leaves room for any honest notification.
    private const int MaxMessageBytes = 1 << 20;
    private const long LogsRequestId = 1;
    private const long SlotRequestId = 2;

    private readonly Uri _uri;
    private readonly string _programId;
    private readonly string _commitment;
    private readonly TimeSpan _idleTimeout;
    private readonly ILogger _logger;
    private readonly Channel<LiveNotification> _queue;
    private readonly Action<ulong>? _slotSeen;
    private int _resyncRequested;
    private volatile bool _discarding;
    private long _latestSlot;
    private volatile PubSubState _state = PubSubState.Disconnected;
    private volatile string? _lastError;

    public SolanaPubSubClient(Uri uri, string programId, string commitment, TimeSpan idleTimeout, int queueCapacity, ILogger logger, Action<ulong>? slotSeen = null)
    {
        _uri = uri;
        _programId = programId;
        _commitment = commitment;
        _idleTimeout = idleTimeout;
        _logger = logger;
        _slotSeen = slotSeen;
        _queue = Channel.CreateBounded<LiveNotification>(new BoundedChannelOptions(queueCapacity)
        {
            SingleReader = true,
            SingleWriter = true,
            FullMode = BoundedChannelFullMode.Wait, // never waited on: the reader only calls TryWrite
        });
    }

    public ChannelReader<LiveNotification> Notifications => _queue.Reader;

    public PubSubCounters Counters { get; } = new();

    public PubSubState State => _state;

    public string? LastError => _lastError;

    /// <summary>The newest slot the node told us about (slot or logs notifications); 0 before any.</summary>
    public ulong LatestSlot => (ulong)Volatile.Read(ref _latestSlot);

    /// <summary>The applier asks this before each item: true once after every (re)subscription or overflow.</summary>
    public bool TryTakeResync() => Interlocked.Exchange(ref _resyncRequested, 0) == 1;

    /// <summary>
    /// After an overflow the queue holds a stale prefix with a hole after it: empty it and resume queueing. Call
    /// right before the backfill's first page is requested, so that everything dropped is in that backfill.
    /// </summary>
    public void ClearAfterOverflow()
    {
        while (_queue.Reader.TryRead(out _))
        {
        }
        _discarding = false;
    }

    public bool Overflowed => _discarding;

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
            catch (Exception ex) when (ex is WebSocketException or IOException or OperationCanceledException or InvalidOperationException or TimeoutException)
            {
                _lastError = ex.Message;
                LogDisconnected(_logger, ex.Message);
            }
            _state = PubSubState.Disconnected;
            Counters.Disconnected();
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
        Counters.Connected();
        await SendAsync(socket, LogsSubscribeRequest(), ct);
        await SendAsync(socket, SlotSubscribeRequest(), ct);

        var subscriptions = new Subscriptions();
        var buffer = ArrayPool<byte>.Shared.Rent(16 * 1024);
        using var idle = CancellationTokenSource.CreateLinkedTokenSource(ct);
        try
        {
            while (true)
            {
                // With a slot subscription the node talks several times a second; silence then means a dead socket.
                idle.CancelAfter(subscriptions.Slot is null ? Timeout.InfiniteTimeSpan : _idleTimeout);
                (buffer, var length, var kind) = await ReceiveIntoAsync(socket, buffer, idle.Token);
                if (kind == WebSocketMessageType.Close)
                {
                    throw new WebSocketException($"the node closed the socket ({socket.CloseStatus} {socket.CloseStatusDescription})");
                }
                if (length < 0)
                {
                    Counters.Oversize();
                    continue;
                }
                if (kind != WebSocketMessageType.Text)
                {
                    Counters.Garbage();
                    continue;
                }
                Handle(buffer.AsMemory(0, length), subscriptions);
            }
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            throw new TimeoutException($"no frame from the node for {_idleTimeout.TotalMilliseconds:0} ms");
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private void Handle(ReadOnlyMemory<byte> message, Subscriptions subscriptions)
    {
        try
        {
            using var doc = JsonDocument.Parse(message);
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                Counters.Garbage();
                return;
            }
            if (root.TryGetProperty("method", out var method) && method.ValueKind == JsonValueKind.String)
            {
                HandleNotification(method.GetString(), root, subscriptions);
                return;
            }
            if (root.TryGetProperty("id", out var id) && id.ValueKind == JsonValueKind.Number)
            {
                HandleResponse(id.GetInt64(), root, subscriptions);
                return;
            }
            Counters.Garbage();
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException or FormatException or KeyNotFoundException)
        {
            Counters.Garbage();
            LogGarbage(_logger, ex.Message);
        }
    }

    private void HandleResponse(long id, JsonElement root, Subscriptions subscriptions)
    {
        var hasResult = root.TryGetProperty("result", out var result) && result.ValueKind == JsonValueKind.Number;
        switch (id)
        {
            case LogsRequestId when hasResult:
                subscriptions.Logs = result.GetInt64();
                _state = PubSubState.Subscribed;
                _lastError = null;
                LogSubscribed(_logger, _uri.Authority);
                RequestResync();
                break;
            case LogsRequestId:
                throw new InvalidOperationException("logsSubscribe was refused: " + root.GetRawText());
            case SlotRequestId when hasResult:
                subscriptions.Slot = result.GetInt64();
                break;
            case SlotRequestId:
                // Some providers do not offer slotSubscribe; WebSocket pings still detect a dead socket.
                LogSlotSubscribeRefused(_logger);
                break;
            default:
                Counters.Garbage();
                break;
        }
    }

    private void HandleNotification(string? method, JsonElement root, Subscriptions subscriptions)
    {
        var parameters = root.GetProperty("params");
        var subscription = parameters.GetProperty("subscription").GetInt64();
        var result = parameters.GetProperty("result");
        if (method == "slotNotification" && subscription == subscriptions.Slot)
        {
            NoteSlot(result.GetProperty("slot").GetUInt64());
            return;
        }
        if (method != "logsNotification" || subscription != subscriptions.Logs)
        {
            Counters.Garbage();
            return;
        }
        var slot = result.GetProperty("context").GetProperty("slot").GetUInt64();
        var value = result.GetProperty("value");
        var signature = value.GetProperty("signature").GetString() ?? throw new FormatException("null signature");
        var failed = value.TryGetProperty("err", out var err) && err.ValueKind != JsonValueKind.Null;
        var logsElement = value.GetProperty("logs");
        var logs = new string[logsElement.ValueKind == JsonValueKind.Array ? logsElement.GetArrayLength() : 0];
        for (int i = 0; i < logs.Length; i++)
        {
            logs[i] = logsElement[i].GetString() ?? "";
        }
        Counters.Notification();
        NoteSlot(slot);
        _slotSeen?.Invoke(slot);
        if (_discarding)
        {
            Counters.Dropped();
            return;
        }
        if (!_queue.Writer.TryWrite(new LiveNotification(slot, signature, failed, logs)))
        {
            _discarding = true;
            Counters.Dropped();
            LogOverflow(_logger);
            RequestResync();
        }
    }

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
        Volatile.Write(ref _resyncRequested, 1);
        // If the queue is full the applier is awake anyway and sees the flag before its next item.
        _queue.Writer.TryWrite(LiveNotification.Wake);
    }

    /// <summary>Reads one whole message; length −1 when it exceeded <see cref="MaxMessageBytes"/> (drained and dropped).</summary>
    private static async ValueTask<(byte[] Buffer, int Length, WebSocketMessageType Kind)> ReceiveIntoAsync(ClientWebSocket socket, byte[] buffer, CancellationToken ct)
    {
        int length = 0;
        bool oversize = false;
        while (true)
        {
            if (length == buffer.Length)
            {
                if (buffer.Length >= MaxMessageBytes)
                {
                    oversize = true;
                    length = 0;
                }
                else
                {
                    var bigger = ArrayPool<byte>.Shared.Rent(buffer.Length * 2);
                    buffer.AsSpan(0, length).CopyTo(bigger);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = bigger;
                }
            }
            var received = await socket.ReceiveAsync(buffer.AsMemory(length), ct);
            if (received.MessageType == WebSocketMessageType.Close)
            {
                return (buffer, 0, WebSocketMessageType.Close);
            }
            length += received.Count;
            if (received.EndOfMessage)
            {
                return (buffer, oversize ? -1 : length, received.MessageType);
            }
        }
    }

    private static Task SendAsync(ClientWebSocket socket, byte[] message, CancellationToken ct) =>
        socket.SendAsync(message, WebSocketMessageType.Text, endOfMessage: true, ct);

    private byte[] LogsSubscribeRequest()
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteString("jsonrpc", "2.0");
            w.WriteNumber("id", LogsRequestId);
            w.WriteString("method", "logsSubscribe");
            w.WriteStartArray("params");
            w.WriteStartObject();
            w.WriteStartArray("mentions");
            w.WriteStringValue(_programId);
            w.WriteEndArray();
            w.WriteEndObject();
            w.WriteStartObject();
            w.WriteString("commitment", _commitment);
            w.WriteEndObject();
            w.WriteEndArray();
            w.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }

    private static byte[] SlotSubscribeRequest() =>
        """{"jsonrpc":"2.0","id":2,"method":"slotSubscribe"}"""u8.ToArray();

    private sealed class Subscriptions
    {
        public long? Logs { get; set; }

        public long? Slot { get; set; }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Subscribed to program logs at {Node}")]
    private static partial void LogSubscribed(ILogger logger, string node);

    [LoggerMessage(Level = LogLevel.Warning, Message = "PubSub connection lost: {Reason}")]
    private static partial void LogDisconnected(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Reconnecting to the PubSub node in {DelayMs} ms (attempt {Attempt})")]
    private static partial void LogReconnecting(ILogger logger, long delayMs, int attempt);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Ignored a malformed PubSub frame: {Reason}")]
    private static partial void LogGarbage(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "The node refused slotSubscribe; relying on WebSocket pings to detect a dead socket")]
    private static partial void LogSlotSubscribeRefused(ILogger logger);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The live queue is full: dropping notifications until a backfill from the checkpoint recovers them")]
    private static partial void LogOverflow(ILogger logger);
}
