using System.Buffers;
using System.Net;
using System.Net.Sockets;
using System.Reflection;
using System.Threading.Channels;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;
using SpinPet.WebSockets;

namespace SpinPet.Server.Streaming;

/// <summary>
/// The server's listening socket when <c>websocket.early_accept</c> is on (decision record 0015). Each accepted
/// connection's first bytes are looked at without being read (<c>MSG_PEEK</c>): a complete <c>/ws</c> upgrade that
/// <see cref="EarlySocketAccept"/> admits is served on the bare socket — no Kestrel transport, pipes or HTTP objects
/// ever exist for it —; every other connection, its bytes still in the kernel, becomes a Kestrel connection exactly as
/// Kestrel's own socket listener makes it (<see cref="SocketConnectionContextFactory"/>), so the HTTP stack's parsing,
/// limits and the connection middleware see it as they always did.
/// </summary>
internal sealed class EarlySocketListener : IConnectionListener
{
    // Kestrel takes each connection as fast as it dispatches it; if it ever falls this far behind, sorting waits and
    // new connections wait in the kernel's backlog, as they would in front of Kestrel's own listener.
    private const int HandOverCapacity = 1024;

    // How long disposal waits for the sessions served here to finish their closing handshakes (they are told to close
    // with 1001 when the application stops, before Kestrel stops its listeners).
    private static readonly TimeSpan SessionsDrainBound = TimeSpan.FromSeconds(10);

    // An accept that fails for want of a resource (descriptors, buffers) is retried after this pause rather than at once.
    private static readonly TimeSpan AcceptRetryPause = TimeSpan.FromMilliseconds(50);

    private readonly Socket _listenSocket;
    private readonly SocketConnectionContextFactory _kestrelConnections;
    private readonly EarlySocketAccept _accept;
    private readonly ILogger _logger;
    private readonly bool _noDelay;
    private readonly Channel<ConnectionContext> _forKestrel = Channel.CreateBounded<ConnectionContext>(
        new BoundedChannelOptions(HandOverCapacity) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });
    private readonly TaskCompletionSource _sessionsDone = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Task _acceptLoop;
    private int _sessions;
    private volatile bool _draining;

    private EarlySocketListener(Socket listenSocket, SocketTransportOptions options, SocketConnectionFactoryOptions kestrelOptions,
        EarlySocketAccept accept, ILoggerFactory loggers)
    {
        _listenSocket = listenSocket;
        _accept = accept;
        _noDelay = options.NoDelay;
        _logger = loggers.CreateLogger<EarlySocketListener>();
        _kestrelConnections = new SocketConnectionContextFactory(kestrelOptions, loggers.CreateLogger("Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets"));
        EndPoint = listenSocket.LocalEndPoint!;
        _acceptLoop = AcceptLoopAsync();
    }

    public EndPoint EndPoint { get; }

    /// <summary>
    /// The options Kestrel's own socket listener makes its connections with, from <paramref name="options"/>: all of
    /// them, including the memory pool Kestrel's DI set up (internal to Kestrel, whose HTTP layer relies on its blocks).
    /// Null if this version of Kestrel has no such constructor; the caller then uses Kestrel's transport instead.
    /// </summary>
    public static SocketConnectionFactoryOptions? KestrelConnectionOptions(SocketTransportOptions options) =>
        typeof(SocketConnectionFactoryOptions).GetConstructor(BindingFlags.Instance | BindingFlags.NonPublic, [typeof(SocketTransportOptions)])
            ?.Invoke([options]) as SocketConnectionFactoryOptions;

    /// <summary>Binds and listens the way Kestrel's socket transport does, with its options.</summary>
    public static EarlySocketListener Bind(EndPoint endpoint, SocketTransportOptions options, SocketConnectionFactoryOptions kestrelOptions,
        EarlySocketAccept accept, ILoggerFactory loggers)
    {
        Socket socket;
        try
        {
            socket = options.CreateBoundListenSocket(endpoint);
        }
        catch (SocketException ex) when (ex.SocketErrorCode == SocketError.AddressAlreadyInUse)
        {
            throw new AddressInUseException(ex.Message, ex);
        }
        socket.Listen(options.Backlog);
        return new EarlySocketListener(socket, options, kestrelOptions, accept, loggers);
    }

    /// <summary>The next connection for Kestrel; null once the listener is unbound and every handed-over one taken.</summary>
    public async ValueTask<ConnectionContext?> AcceptAsync(CancellationToken cancellationToken = default)
    {
        while (await _forKestrel.Reader.WaitToReadAsync(cancellationToken))
        {
            if (_forKestrel.Reader.TryRead(out var connection))
            {
                return connection;
            }
        }
        return null;
    }

    public async ValueTask UnbindAsync(CancellationToken cancellationToken = default)
    {
        _listenSocket.Dispose();
        await _acceptLoop;
    }

    public async ValueTask DisposeAsync()
    {
        _listenSocket.Dispose();
        await _acceptLoop;
        _draining = true;
        if (Volatile.Read(ref _sessions) == 0)
        {
            _sessionsDone.TrySetResult();
        }
        try
        {
            await _sessionsDone.Task.WaitAsync(SessionsDrainBound, _accept.Time);
        }
        catch (TimeoutException)
        {
            _logger.LogWarning("{Sessions} /ws sessions had not closed {Bound} after shutdown began; the process ends them",
                Volatile.Read(ref _sessions), SessionsDrainBound);
        }
        _kestrelConnections.Dispose();
    }

    private async Task AcceptLoopAsync()
    {
        bool failing = false;
        while (true)
        {
            Socket socket;
            try
            {
                socket = await _listenSocket.AcceptAsync();
            }
            catch (ObjectDisposedException)
            {
                break;
            }
            catch (SocketException ex) when (ex.SocketErrorCode == SocketError.OperationAborted)
            {
                break;
            }
            catch (SocketException ex) when (ex.SocketErrorCode == SocketError.ConnectionReset)
            {
                // Reset by its client before it was accepted: nothing to serve (Kestrel's listener skips these too).
                continue;
            }
            catch (SocketException ex)
            {
                // Out of descriptors or buffers: the backlog holds new connections until some close. Kestrel's listener
                // would stop accepting for good here; this one keeps trying, without spinning, and logs once a streak.
                if (!failing)
                {
                    _logger.LogWarning(ex, "Accepting a connection failed ({Error}); retrying every {Pause} until it succeeds",
                        ex.SocketErrorCode, AcceptRetryPause);
                    failing = true;
                }
                await Task.Delay(AcceptRetryPause, _accept.Time);
                continue;
            }
            failing = false;
            _ = SortAsync(socket);
        }
        _forKestrel.Writer.TryComplete();
    }

    /// <summary>Serves the connection here when its first bytes are an upgrade taken, else hands it to Kestrel.</summary>
    private async Task SortAsync(Socket socket)
    {
        EarlySocketAccept.Taken? taken;
        try
        {
            socket.NoDelay = _noDelay;
            taken = await TryTakeAsync(socket);
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            // It failed before anything was answered (reset, or the listener is being disposed): nothing to serve.
            socket.Dispose();
            return;
        }
        if (taken is null)
        {
            await HandOverAsync(socket);
            return;
        }
        Stream transport;
        try
        {
            transport = new NetworkStream(socket, ownsSocket: true);
            if (_accept.DirectSend)
            {
                transport = new DirectSendStream(transport, socket);
            }
        }
        catch (IOException)
        {
            // Reset between its head and its answer (the stream refuses a socket no longer connected): the slot it was
            // admitted to is given back.
            _accept.Release(taken);
            socket.Dispose();
            return;
        }
        Interlocked.Increment(ref _sessions);
        try
        {
            var serving = _accept.ServeAsync(transport, socket.Dispose, taken, offTheSocket: true);
            // The admitted request is not kept in this method's state for the life of the session.
            taken = null;
            await serving;
        }
        catch (Exception ex)
        {
            _logger.LogError(ex, "A /ws session served off its socket failed");
        }
        finally
        {
            socket.Dispose();
            if (Interlocked.Decrement(ref _sessions) == 0 && _draining)
            {
                _sessionsDone.TrySetResult();
            }
        }
    }

    /// <summary>
    /// Waits (within <see cref="EarlySocketAccept.DecisionWindow"/>) for the first bytes and looks at them without
    /// reading: an upgrade admitted has its head read off the socket and is returned; anything else (another request, an
    /// upgrade not complete in what has arrived, a refusal, silence) returns null with every byte still in the kernel.
    /// </summary>
    private async Task<EarlySocketAccept.Taken?> TryTakeAsync(Socket socket)
    {
        using (var window = new CancellationTokenSource(EarlySocketAccept.DecisionWindow, _accept.Time))
        {
            try
            {
                // A zero-byte receive completes when data is there, with no buffer held while the client is silent.
                await socket.ReceiveAsync(Memory<byte>.Empty, SocketFlags.None, window.Token);
            }
            catch (OperationCanceledException)
            {
                return null;
            }
        }
        byte[] head = ArrayPool<byte>.Shared.Rent(UpgradeRequestReader.MaxHeadBytes);
        try
        {
            int peeked = await socket.ReceiveAsync(head.AsMemory(0, UpgradeRequestReader.MaxHeadBytes), SocketFlags.Peek);
            var verdict = UpgradeRequestReader.Read(new ReadOnlySequence<byte>(head, 0, peeked), "/ws"u8, out var request);
            if (verdict != UpgradeRequestVerdict.Taken
                || !_accept.TryAdmit((socket.RemoteEndPoint as IPEndPoint)?.Address, request!, out var taken))
            {
                return null;
            }
            try
            {
                // The head was seen in the kernel's buffer, so these reads complete at once.
                for (int consumed = 0; consumed < request!.HeadLength;)
                {
                    int read = await socket.ReceiveAsync(head.AsMemory(consumed, request.HeadLength - consumed), SocketFlags.None);
                    consumed += read > 0 ? read : throw new SocketException((int)SocketError.ConnectionReset);
                }
            }
            catch
            {
                _accept.Release(taken);
                throw;
            }
            return taken;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(head);
        }
    }

    /// <summary>Makes the connection Kestrel's, as its socket listener would have, and queues it for Kestrel's accept.</summary>
    private async Task HandOverAsync(Socket socket)
    {
        ConnectionContext connection;
        try
        {
            connection = _kestrelConnections.Create(socket);
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            socket.Dispose();
            return;
        }
        try
        {
            await _forKestrel.Writer.WriteAsync(connection);
        }
        catch (ChannelClosedException)
        {
            // The listener was unbound meanwhile: like a connection still in the backlog, it is closed.
            await connection.DisposeAsync();
        }
    }
}
