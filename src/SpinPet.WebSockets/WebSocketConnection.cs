using System.Buffers;
using System.Diagnostics;
using System.Text;

namespace SpinPet.WebSockets;

/// <summary>
/// The server end of an RFC 6455 connection over a raw duplex stream (Kestrel's upgraded stream in production).
/// One task reads with <see cref="ReceiveAsync"/>; any number of tasks send, serialized by one lock so that pongs
/// and close frames from the reader never land inside another frame.
/// </summary>
/// <remarks>
/// <para>Memory: an idle connection holds no buffer. The reader parks on a zero-byte read and rents from
/// <see cref="ArrayPool{T}.Shared"/> only once bytes arrive; senders rent one staging buffer per send or batch.
/// What stays per connection is this object, a 14-byte header scratch, a semaphore and a cancellation source
/// (336 bytes), plus the parked receive's state machine and token registrations: under 1 KB in all.</para>
/// <para>Failures: <see cref="ReceiveAsync"/> returns <see cref="WebSocketMessageKind.Close"/> (code 1006) when the
/// stream ends or the connection was aborted, and throws <see cref="WebSocketProtocolException"/> when the peer breaks
/// the protocol (after sending the matching close frame and releasing the transport). Cancelling a token while a
/// frame is being read or written aborts the connection: half a frame cannot be taken back.</para>
/// </remarks>
public sealed partial class WebSocketConnection : IAsyncDisposable
{
    // RFC 6455 section 7.1.1 lets the server wait for the client's close frame before dropping TCP; 2 s bounds how
    // long a silent client keeps its slot after we decided to close it.
    private static readonly TimeSpan CloseHandshakeTimeout = TimeSpan.FromSeconds(2);

    // _flags bits, only ever set (Interlocked.Or).
    private const int CloseSentFlag = 1;
    private const int CloseReceivedFlag = 2;
    private const int ReadDoneFlag = 4;        // no frame will be read any more: close, end of stream, failure, abort
    private const int TornDownFlag = 8;        // transport released
    private const int HardAbortedFlag = 16;    // the abort callback ran

    // _receiving: who owns the read side (and _message) right now.
    private const int NoReader = 0;
    private const int AppReader = 1;
    private const int CloseDrainer = 2;
    private const int Disposed = 3;

    private static readonly Action<object?> AbortCallback = static state => ((WebSocketConnection)state!).Abort();

    private readonly Stream _transport;
    private readonly int _maxMessageBytes;
    private readonly Action? _abortTransport;

    // Cancels every pending transport read and write on teardown: Kestrel's upgraded stream ignores Dispose while
    // a read is parked, so without it a client that never writes again would pin its reader forever.
    private readonly CancellationTokenSource _transportCancellation = new();
    private readonly SemaphoreSlim _sendLock = new(1, 1);
    private readonly byte[] _headerScratch = new byte[ClientFrameHeader.MaxLength];

    private int _flags;
    private int _receiving;
    private long _lastReceivedAt;
    private long _rentedBytes;
    private ushort _peerCloseCode;
    private string? _peerCloseReason;

    // Both allocated only when someone waits: most connections never need them before they close.
    private TaskCompletionSource? _readDone;
    private TaskCompletionSource? _closing;

    /// <param name="transport">The upgraded duplex stream; the connection owns it from now on.</param>
    /// <param name="maxMessageBytes">Largest message (after reassembly) accepted; larger ones yield TooLarge.</param>
    public WebSocketConnection(Stream transport, int maxMessageBytes)
        : this(transport, maxMessageBytes, abortTransport: null)
    {
    }

    /// <param name="transport">The upgraded duplex stream; the connection owns it from now on.</param>
    /// <param name="maxMessageBytes">Largest message (after reassembly) accepted; larger ones yield TooLarge.</param>
    /// <param name="abortTransport">
    /// Drops the underlying connection at once (for Kestrel, <c>HttpContext.Abort</c>). Called only when the
    /// connection is torn down without a completed close handshake, because it may discard unsent output.
    /// </param>
    public WebSocketConnection(Stream transport, int maxMessageBytes, Action? abortTransport)
        : this(transport, maxMessageBytes, abortTransport, perMessageDeflate: false)
    {
    }

    /// <param name="transport">The upgraded duplex stream; the connection owns it from now on.</param>
    /// <param name="maxMessageBytes">
    /// Largest message accepted, both as received and, for a compressed message, once inflated; larger ones yield
    /// TooLarge.
    /// </param>
    /// <param name="abortTransport">See the other constructor.</param>
    /// <param name="perMessageDeflate">
    /// The handshake negotiated permessage-deflate without context takeover in either direction
    /// (<see cref="PerMessageDeflateNegotiation"/>): RSV1 marks compressed messages both ways.
    /// </param>
    public WebSocketConnection(Stream transport, int maxMessageBytes, Action? abortTransport, bool perMessageDeflate)
    {
        ArgumentNullException.ThrowIfNull(transport);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxMessageBytes);
        _transport = transport;
        _maxMessageBytes = maxMessageBytes;
        _abortTransport = abortTransport;
        IsDeflateNegotiated = perMessageDeflate;
        _lastReceivedAt = Stopwatch.GetTimestamp();
    }

    /// <summary>
    /// Whether permessage-deflate was negotiated: messages may then be sent compressed
    /// (<see cref="WebSocketOutboundMessage.Deflated"/>) and received ones are inflated before they are returned.
    /// </summary>
    public bool IsDeflateNegotiated { get; }

    /// <summary>Whether frames go straight to the socket (<see cref="DirectSendStream"/>) rather than through the server's output pipe.</summary>
    public bool WritesToSocket => _transport is DirectSendStream;

    /// <summary>
    /// <see cref="Stopwatch.GetTimestamp"/> when the last frame of any kind (data, ping, pong, close) arrived, or
    /// when the connection was created. <c>Stopwatch.GetElapsedTime(LastReceivedAt)</c> is the idle time.
    /// </summary>
    public long LastReceivedAt => Volatile.Read(ref _lastReceivedAt);

    /// <summary>Whether this side has sent its close frame (no message may follow it).</summary>
    public bool CloseSent => (Volatile.Read(ref _flags) & CloseSentFlag) != 0;

    public WebSocketConnectionState State
    {
        get
        {
            int flags = Volatile.Read(ref _flags);
            bool sent = (flags & CloseSentFlag) != 0;
            bool received = (flags & CloseReceivedFlag) != 0;
            if (sent && received)
            {
                return WebSocketConnectionState.Closed;
            }
            if ((flags & TornDownFlag) != 0)
            {
                return WebSocketConnectionState.Aborted;
            }
            return received ? WebSocketConnectionState.CloseReceived
                : sent ? WebSocketConnectionState.CloseSent
                : WebSocketConnectionState.Open;
        }
    }

    /// <summary>
    /// The inbound rate limit, when set (before the first <see cref="ReceiveAsync"/>): every frame but a close takes a
    /// token. A data message one of whose frames finds the bucket empty is dropped whole and reported as
    /// <see cref="WebSocketMessageKind.RateLimited"/>; a ping that finds it empty is dropped unanswered; a pong is
    /// only counted. Null (the default): no limit.
    /// </summary>
    public TokenBucket? FrameLimit { get; set; }

    /// <summary>Bytes currently rented from the pool by this connection (0 while idle).</summary>
    internal long RentedBytes => Volatile.Read(ref _rentedBytes);

    /// <summary>
    /// True while the reader is parked in a zero-byte read, waiting for the client without a buffer: idle between
    /// frames, or within a frame before its buffer grows.
    /// </summary>
    internal bool IsWaitingForData { get; private set; }

    private bool IsHandshakeComplete =>
        (Volatile.Read(ref _flags) & (CloseSentFlag | CloseReceivedFlag)) == (CloseSentFlag | CloseReceivedFlag);

    /// <summary>Releases the transport now, without a close handshake (hard abort when one was not completed).</summary>
    public void Abort() => TearDown(hard: true);

    /// <summary>Aborts unless <see cref="CloseAsync"/> ran, and returns the last message's buffer to the pool.</summary>
    /// <remarks>
    /// The semaphore and cancellation source are left to the GC: a racing sender may still touch them, and neither
    /// holds an OS handle (no wait handle or timer is ever created).
    /// </remarks>
    public ValueTask DisposeAsync()
    {
        // Hard only if nothing released the transport yet: after a graceful release (failed protocol, end of
        // stream) the close frame already written must still reach the peer.
        TearDown(hard: (Volatile.Read(ref _flags) & TornDownFlag) == 0);

        // A reader still inside ReceiveAsync returns its own buffers when it wakes from the cancelled read.
        if (Interlocked.CompareExchange(ref _receiving, Disposed, NoReader) == NoReader)
        {
            ReturnMessageBuffer();
            MarkReadDone();
        }
        return default;
    }

    /// <summary>
    /// Releases the transport once: cancels pending reads and writes and disposes the stream. A hard teardown
    /// before the close handshake completed also calls the abort callback, which drops unsent output.
    /// </summary>
    private void TearDown(bool hard)
    {
        int previous = Interlocked.Or(ref _flags, TornDownFlag);
        if ((previous & TornDownFlag) == 0)
        {
            _transportCancellation.Cancel();
            _transport.Dispose();
        }

        if (hard && !IsHandshakeComplete && (Interlocked.Or(ref _flags, HardAbortedFlag) & HardAbortedFlag) == 0)
        {
            try
            {
                _abortTransport?.Invoke();
            }
            catch (ObjectDisposedException)
            {
                // The request ended while a cancellation was aborting it (a token registered by a send or a read fires
                // as the handler returns): nothing is left to drop, and the canceller must not get the exception.
            }
        }
    }

    private void MarkReadDone()
    {
        // Set the flag before looking for a waiter; ReadDoneTask publishes the waiter before checking the flag.
        Interlocked.Or(ref _flags, ReadDoneFlag);
        Volatile.Read(ref _readDone)?.TrySetResult();
    }

    private Task ReadDoneTask()
    {
        TaskCompletionSource? signal = Volatile.Read(ref _readDone);
        if (signal is null)
        {
            var created = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            signal = Interlocked.CompareExchange(ref _readDone, created, null) ?? created;
        }
        if ((Volatile.Read(ref _flags) & ReadDoneFlag) != 0)
        {
            signal.TrySetResult();
        }
        return signal.Task;
    }

    private byte[] Rent(int minimumLength)
    {
        byte[] buffer = ArrayPool<byte>.Shared.Rent(minimumLength);
        Interlocked.Add(ref _rentedBytes, buffer.Length);
        return buffer;
    }

    private void Return(byte[] buffer)
    {
        Interlocked.Add(ref _rentedBytes, -buffer.Length);
        ArrayPool<byte>.Shared.Return(buffer);
    }
}
