using System.Buffers;
using System.Net.WebSockets;
using System.Threading.Channels;
using Microsoft.AspNetCore.Http;
using SpinPet.ChainSimulator.Hosting;

namespace SpinPet.ChainSimulator.PubSub;

/// <summary>
/// One PubSub client: a reader that answers requests, and one writer that drains a bounded outbox. Publishing
/// only enqueues, never awaits the socket; a client that lets its outbox fill up is disconnected, as a node
/// disconnects a subscriber that cannot keep up.
/// </summary>
internal sealed class PubSubConnection : IDisposable
{
    // Requests are a few hundred bytes; anything this large is not a PubSub request.
    private const int MaxRequestBytes = 64 * 1024;
    private const int ReceiveChunkBytes = 4096;

    private readonly WebSocket _socket;
    private readonly HttpContext _context;
    private readonly PubSubRequests _requests;
    private readonly SimulatorStats _stats;
    private readonly Channel<OutgoingFrame> _outbox;
    private readonly CancellationTokenSource _lifetime;
    private readonly Lock _subscriptionsGate = new();
    private Subscription[] _subscriptions = [];
    private int _closing;
    private int _aborted;
    private volatile bool _silent;

    public PubSubConnection(
        long id, WebSocket socket, HttpContext context, PubSubRequests requests, SimulatorStats stats, int queueCapacity, CancellationToken shutdown)
    {
        Id = id;
        _socket = socket;
        _context = context;
        _requests = requests;
        _stats = stats;
        _outbox = Channel.CreateBounded<OutgoingFrame>(new BoundedChannelOptions(queueCapacity)
        {
            SingleReader = true,
            SingleWriter = false,
            FullMode = BoundedChannelFullMode.Wait,
        });
        _lifetime = CancellationTokenSource.CreateLinkedTokenSource(shutdown, context.RequestAborted);
    }

    public long Id { get; }

    /// <summary>The transport's switch that holds incoming bytes (null when the listener is not silenceable).</summary>
    public ConnectionSilence? Silence { get; init; }

    /// <summary>The current subscriptions; replaced on change so that publishing reads them without a lock.</summary>
    public IReadOnlyList<Subscription> Subscriptions => Volatile.Read(ref _subscriptions);

    public async Task RunAsync()
    {
        var token = _lifetime.Token;
        var writing = WriteLoopAsync(token);
        bool clientClosed = await ReadLoopAsync(token).ConfigureAwait(false);
        StopAccepting();
        if (clientClosed)
        {
            // Let queued replies go out before the close frame, then answer the client's close.
            await writing.ConfigureAwait(false);
            await CloseOutputAsync().ConfigureAwait(false);
        }
        else
        {
            Abort();
            await writing.ConfigureAwait(false);
        }
    }

    /// <summary>Queues a frame; a full outbox means a slow consumer, which is disconnected.</summary>
    public void Enqueue(OutgoingFrame frame)
    {
        if (_outbox.Writer.TryWrite(frame) || !StopAccepting())
        {
            return;
        }
        _stats.SlowConsumerClosed();
        // Aborting wakes the socket's pending reads; do it off the publisher's thread so that block production
        // never runs this connection's continuations.
        ThreadPool.UnsafeQueueUserWorkItem(static connection => connection.Abort(), this, preferLocal: false);
    }

    /// <summary>Tears the connection down without a close handshake.</summary>
    public void Abort()
    {
        if (Interlocked.Exchange(ref _aborted, 1) != 0)
        {
            return;
        }
        StopAccepting();
        try
        {
            _lifetime.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // The connection already finished.
        }
        try
        {
            _socket.Abort();
            _context.Abort();
        }
        catch (ObjectDisposedException)
        {
            // The client hung up first and Kestrel already recycled the request: nothing is left to abort.
        }
    }

    /// <summary>
    /// From now on nothing is sent and nothing is read (so pings go unanswered), yet the TCP connection stays open:
    /// a peer that vanished without a FIN or RST. It ends when the client gives up and closes it.
    /// </summary>
    public void GoSilent()
    {
        _silent = true;
        Silence?.TurnOn();
    }

    /// <summary>
    /// Queues the subscribe request's <paramref name="reply"/> and adds the subscription in one step for
    /// <see cref="Publish"/>: a block published before it is not notified on the subscription (its frames precede the
    /// reply), every block published after it is. Adding after the reply left a gap in which a client that had read
    /// the reply missed a block produced right then.
    /// </summary>
    public void AddSubscription(Subscription subscription, OutgoingFrame reply)
    {
        lock (_subscriptionsGate)
        {
            Enqueue(reply);
            _subscriptions = [.. _subscriptions, subscription];
        }
        _stats.SubscriptionAdded();
    }

    /// <summary>Queues what <paramref name="frames"/> makes of the current subscriptions, while no subscription is being added.</summary>
    public void Publish<TState>(TState state, Action<PubSubConnection, IReadOnlyList<Subscription>, TState> frames)
    {
        lock (_subscriptionsGate)
        {
            frames(this, _subscriptions, state);
        }
    }

    public bool RemoveSubscription(ulong id, SubscriptionKind kind)
    {
        lock (_subscriptionsGate)
        {
            int index = Array.FindIndex(_subscriptions, s => s.Id == id && s.Kind == kind);
            if (index < 0)
            {
                return false;
            }
            _subscriptions = [.. _subscriptions[..index], .. _subscriptions[(index + 1)..]];
        }
        _stats.SubscriptionsRemoved(1);
        return true;
    }

    public void Dispose() => _lifetime.Dispose();

    /// <summary>Closes the outbox to new frames; true for the caller that closed it.</summary>
    private bool StopAccepting()
    {
        if (Interlocked.Exchange(ref _closing, 1) != 0)
        {
            return false;
        }
        _outbox.Writer.TryComplete();
        return true;
    }

    /// <summary>Reads requests until the client closes (true) or the connection breaks or is cancelled (false).</summary>
    private async Task<bool> ReadLoopAsync(CancellationToken token)
    {
        byte[] chunk = ArrayPool<byte>.Shared.Rent(ReceiveChunkBytes);
        var message = new ArrayBufferWriter<byte>(ReceiveChunkBytes);
        try
        {
            while (true)
            {
                var result = await _socket.ReceiveAsync(chunk.AsMemory(), token).ConfigureAwait(false);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    return true;
                }
                if (message.WrittenCount + result.Count > MaxRequestBytes)
                {
                    await _socket.CloseOutputAsync(WebSocketCloseStatus.MessageTooBig, "request too large", token).ConfigureAwait(false);
                    return false;
                }
                message.Write(chunk.AsSpan(0, result.Count));
                if (!result.EndOfMessage)
                {
                    continue;
                }
                _requests.Handle(message.WrittenMemory, result.MessageType, this);
                message.ResetWrittenCount();
            }
        }
        catch (Exception exception) when (exception is OperationCanceledException or WebSocketException or ObjectDisposedException or IOException)
        {
            return false;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(chunk);
        }
    }

    private async Task WriteLoopAsync(CancellationToken token)
    {
        var reader = _outbox.Reader;
        try
        {
            while (await reader.WaitToReadAsync(token).ConfigureAwait(false))
            {
                while (reader.TryRead(out var frame))
                {
                    if (_silent)
                    {
                        // Taken from the outbox but never sent, so a silent connection is not a slow consumer.
                        continue;
                    }
                    await _socket.SendAsync(frame.Bytes, frame.Type, endOfMessage: true, token).ConfigureAwait(false);
                    if (frame.IsNotification)
                    {
                        _stats.NotificationSent(frame.PublishedAt);
                    }
                }
            }
        }
        catch (Exception exception) when (exception is OperationCanceledException or WebSocketException or ObjectDisposedException or IOException)
        {
            // The socket broke or the connection is being torn down; the reader notices too.
            Abort();
        }
    }

    private async Task CloseOutputAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
        try
        {
            if (_socket.State == WebSocketState.CloseReceived)
            {
                await _socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, string.Empty, timeout.Token).ConfigureAwait(false);
            }
        }
        catch (Exception exception) when (exception is OperationCanceledException or WebSocketException or ObjectDisposedException or IOException)
        {
            _socket.Abort();
        }
    }
}
