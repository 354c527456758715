using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using SpinPet.SocketIO.Engine;
using SpinPet.SocketIO.Namespaces;

namespace SpinPet.SocketIO.Tests.Engine;

/// <summary>The session's state machine on a fake clock: heartbeat, connect timeout, close ordering, failures.</summary>
public sealed class EngineSessionTests
{
    private readonly FakeTimeProvider _time = new();
    private readonly RecordingNamespace _kline = new();

    [Fact]
    public async Task Pings_go_out_every_interval_and_a_missing_pong_closes_the_session()
    {
        var session = Start(new SocketIOServerOptions { PingInterval = TimeSpan.FromSeconds(25), PingTimeout = TimeSpan.FromSeconds(20) });
        await Receive(session, "40/kline,");
        Assert.StartsWith("0{", Drain(session)[0], StringComparison.Ordinal);

        _time.Advance(TimeSpan.FromSeconds(24.9));
        Assert.Empty(Drain(session));
        _time.Advance(TimeSpan.FromSeconds(0.1));
        Assert.Equal(["2"], Drain(session));

        // The pong restarts the interval.
        _time.Advance(TimeSpan.FromSeconds(10));
        await Receive(session, "3");
        _time.Advance(TimeSpan.FromSeconds(24.9));
        Assert.Empty(Drain(session));
        _time.Advance(TimeSpan.FromSeconds(0.1));
        Assert.Equal(["2"], Drain(session));

        _time.Advance(TimeSpan.FromSeconds(19.9));
        Assert.True(session.IsOpen);
        _time.Advance(TimeSpan.FromSeconds(0.1));
        Assert.False(session.IsOpen);
        Assert.Equal(SocketIODisconnectReason.PingTimeout, session.CloseReason);
        Assert.Equal([SocketIODisconnectReason.PingTimeout], _kline.Disconnects);
    }

    [Fact]
    public async Task A_session_that_joins_no_namespace_is_closed_after_the_connect_timeout()
    {
        var options = new SocketIOServerOptions { PingInterval = TimeSpan.FromSeconds(25), ConnectTimeout = TimeSpan.FromSeconds(45) };
        var idle = Start(options);
        var joined = Start(options);
        await Receive(joined, "40/kline,");
        for (int i = 0; i < 2; i++)
        {
            _time.Advance(TimeSpan.FromSeconds(25));
            await Receive(idle, "3");
            await Receive(joined, "3");
        }
        Assert.False(idle.IsOpen);
        Assert.Equal(SocketIODisconnectReason.ConnectTimeout, idle.CloseReason);
        Assert.True(joined.IsOpen);
    }

    [Fact]
    public async Task The_namespace_hears_of_the_close_only_after_its_call_in_progress_returned()
    {
        var session = Start();
        await Receive(session, "40/kline,");
        var blocked = Receive(session, """42/kline,["block",{}]""");
        await _kline.Blocked.Task.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);

        session.Close(SocketIODisconnectReason.ProtocolError);
        Assert.True(_kline.BlockedToken.IsCancellationRequested);
        Assert.Empty(_kline.Disconnects);

        _kline.Release.SetResult();
        await blocked;
        Assert.Equal([SocketIODisconnectReason.ProtocolError], _kline.Disconnects);

        // Nothing is dispatched after the close.
        await Receive(session, """42/kline,["echo",{}]""");
        Assert.DoesNotContain("echo", _kline.Events);
    }

    [Fact]
    public async Task A_handler_that_throws_closes_its_session_and_is_counted()
    {
        var session = Start();
        await Receive(session, "40/kline,");
        await Receive(session, """42/kline,["throw",{}]""");
        Assert.Equal(SocketIODisconnectReason.HandlerFailure, session.CloseReason);
        Assert.Equal(1, session.Counters.HandlerFailures);
        Assert.Equal([SocketIODisconnectReason.HandlerFailure], _kline.Disconnects);
    }

    [Fact]
    public async Task A_send_past_the_outbox_bound_is_refused_and_closes_the_session()
    {
        var session = Start(new SocketIOServerOptions { MaxOutboxBytes = 64 * 1024 });
        await Receive(session, "40/kline,");
        var socket = _kline.Sockets.Single();
        byte[] big = Encoding.UTF8.GetBytes("\"" + new string('x', 40_000) + "\"");
        Assert.True(socket.TryEmit("big", big));
        Assert.False(socket.TryEmit("big", big));
        Assert.Equal(SocketIODisconnectReason.SlowConsumer, session.CloseReason);
        Assert.Equal(1, session.Counters.SlowConsumerCloses);
        Assert.Equal([SocketIODisconnectReason.SlowConsumer], _kline.Disconnects);
        Assert.False(socket.TryEmit("small", "1"u8));
        Assert.Equal(0, session.Outbox.QueuedBytes);
    }

    [Fact]
    public async Task A_second_connect_to_a_joined_namespace_ends_the_session()
    {
        var session = Start();
        await Receive(session, "40/kline,");
        await Receive(session, "40/kline,");
        Assert.Equal(SocketIODisconnectReason.ProtocolError, session.CloseReason);
        Assert.Equal(1, session.Counters.ProtocolErrors);
    }

    [Fact]
    public async Task A_client_namespace_disconnect_leaves_the_session_open()
    {
        var session = Start();
        await Receive(session, "40/kline,");
        await Receive(session, "41/kline,");
        Assert.True(session.IsOpen);
        Assert.Equal([SocketIODisconnectReason.ClientNamespaceDisconnect], _kline.Disconnects);
        // Events for the namespace left are now protocol garbage.
        await Receive(session, """42/kline,["echo",{}]""");
        Assert.Equal(SocketIODisconnectReason.ProtocolError, session.CloseReason);
        Assert.Single(_kline.Disconnects);
    }

    private EngineSession Start(SocketIOServerOptions? options = null)
    {
        var server = new SocketIOServer(options ?? new SocketIOServerOptions(),
            new Dictionary<string, ISocketIONamespaceHandler> { ["/kline"] = _kline }, NullLogger<SocketIOServer>.Instance, _time);
        var session = new EngineSession(server, Guid.NewGuid().ToString("N")[..20], "127.0.0.1", webSocket: false);
        session.Start();
        return session;
    }

    private static Task Receive(EngineSession session, string packet) =>
        session.ReceiveAsync(Encoding.UTF8.GetBytes(packet), isPayload: false).AsTask();

    private static List<string> Drain(EngineSession session)
    {
        var batch = new List<EngineTextMessage>();
        long bytes = session.Outbox.Drain(batch, int.MaxValue, out _);
        session.Outbox.Release(bytes);
        return batch.ConvertAll(m => Encoding.UTF8.GetString([.. m.Head.Span, .. m.Middle.Span, .. m.Tail.Span]));
    }

    private sealed class RecordingNamespace : ISocketIONamespaceHandler
    {
        public List<SocketIOSocket> Sockets { get; } = [];

        public List<string> Events { get; } = [];

        public List<SocketIODisconnectReason> Disconnects { get; } = [];

        public TaskCompletionSource Blocked { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource Release { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public CancellationToken BlockedToken { get; private set; }

        public ValueTask OnConnectAsync(SocketIOSocket socket, ReadOnlyMemory<byte> auth, CancellationToken ct)
        {
            Sockets.Add(socket);
            return default;
        }

        public async ValueTask OnEventAsync(SocketIOSocket socket, SocketIOEvent received, CancellationToken ct)
        {
            Events.Add(received.Name);
            switch (received.Name)
            {
                case "block":
                    BlockedToken = ct;
                    Blocked.SetResult();
                    await Release.Task;
                    break;
                case "throw":
                    throw new InvalidOperationException("a handler bug");
            }
        }

        public ValueTask OnRejectedAsync(SocketIOSocket socket, SocketIORejection rejection, long? ackId, CancellationToken ct) => default;

        public void OnDisconnect(SocketIOSocket socket, SocketIODisconnectReason reason) => Disconnects.Add(reason);
    }
}
