using System.Collections.Concurrent;
using System.Net.WebSockets;
using System.Text;
using SpinPet.WebSockets;

namespace SpinPet.WebSockets.Tests;

/// <summary>
/// Server-side sends: concurrency, segments and batches, checked with a real ClientWebSocket; through Kestrel's
/// upgraded stream here, straight to the socket in <see cref="DirectWebSocketSendTests"/>.
/// </summary>
public class WebSocketSendTests : IAsyncLifetime
{
    private EchoServer _server = null!;

    /// <summary>Frames go straight to the socket (<see cref="DirectSendStream"/>).</summary>
    protected virtual bool DirectSend => false;

    public async ValueTask InitializeAsync() => _server = await EchoServer.StartAsync(directSend: DirectSend);

    public async ValueTask DisposeAsync()
    {
        await _server.DisposeAsync();
        GC.SuppressFinalize(this);
    }

    [Fact]
    public async Task Concurrent_sends_from_many_tasks_arrive_as_whole_messages()
    {
        const int Tasks = 8;
        const int PerTask = 60;
        using var timeout = TestTimeout.Start(30);
        using var client = await ClientSockets.ConnectAsync(_server.WebSocketUri, timeout.Token);
        var connection = (await _server.NextSessionAsync()).Connection;
        Assert.Equal(DirectSend, connection.WritesToSocket);

        // Sizes cross every header form and the staging/direct-write thresholds.
        int[] sizes = [1, 125, 126, 3000, 5000, 20_000, 65_536, 70_000];
        var senders = Enumerable.Range(0, Tasks).Select(task => Task.Run(async () =>
        {
            for (int seq = 0; seq < PerTask; seq++)
            {
                await connection.SendTextAsync(Message(task, seq, sizes[(task + seq) % sizes.Length]), timeout.Token);
            }
        }, timeout.Token)).ToArray();

        var lastSeq = new int[Tasks];
        Array.Fill(lastSeq, -1);
        for (int i = 0; i < Tasks * PerTask; i++)
        {
            var received = await client.ReceiveWholeAsync(timeout.Token);
            Assert.Equal(WebSocketMessageType.Text, received.Type);
            (int task, int seq) = Parse(received.Payload, sizes);
            Assert.Equal(lastSeq[task] + 1, seq);
            lastSeq[task] = seq;
        }
        await Task.WhenAll(senders);
        Assert.All(lastSeq, seq => Assert.Equal(PerTask - 1, seq));
    }

    [Fact]
    public async Task Segmented_and_batched_sends_arrive_as_whole_messages_in_order()
    {
        using var timeout = TestTimeout.Start();
        using var client = await ClientSockets.ConnectAsync(_server.WebSocketUri, timeout.Token);
        var connection = (await _server.NextSessionAsync()).Connection;
        byte[] big = Encoding.ASCII.GetBytes(new string('x', 40_000));

        await connection.SendTextAsync("{\"a\":"u8.ToArray(), "1"u8.ToArray(), "}"u8.ToArray(), timeout.Token);
        await connection.SendBatchAsync(
            [
                Plain(Encoding.ASCII.GetBytes("seq-"), big, Encoding.ASCII.GetBytes("-end")),
                Plain("one"u8.ToArray()),
                Plain(big),
                Plain("three"u8.ToArray()),
                Plain("pre-"u8.ToArray(), big, "-post"u8.ToArray()),
                Plain(),
                Plain("é"u8.ToArray(), "!"u8.ToArray()),
            ],
            timeout.Token);

        string[] expected =
        [
            "{\"a\":1}", $"seq-{Encoding.ASCII.GetString(big)}-end", "one", Encoding.ASCII.GetString(big), "three",
            $"pre-{Encoding.ASCII.GetString(big)}-post", string.Empty, "é!",
        ];
        foreach (string message in expected)
        {
            var received = await client.ReceiveWholeAsync(timeout.Token);
            Assert.Equal(WebSocketMessageType.Text, received.Type);
            Assert.Equal(message, Encoding.UTF8.GetString(received.Payload));
        }
    }

    [Fact]
    public async Task A_send_parked_on_a_full_socket_fails_as_an_io_error_when_another_path_aborts_the_connection()
    {
        // The client reads nothing, so sends fill the kernel's buffers (and Kestrel's pipe) until one parks.
        using var timeout = TestTimeout.Start(30);
        using var client = await ClientSockets.ConnectAsync(_server.WebSocketUri, timeout.Token);
        var connection = (await _server.NextSessionAsync()).Connection;
        var payload = new byte[64 * 1024];
        Task parked;
        do
        {
            timeout.Token.ThrowIfCancellationRequested();
            parked = connection.SendBinaryAsync(payload, timeout.Token).AsTask();
        }
        while (parked.IsCompletedSuccessfully);

        // What the reader does when it sees a reset, or the session when it evicts a slow client; the sender's own
        // token is not cancelled, so it must see a lost connection, not a cancellation it never asked for.
        connection.Abort();

        var failure = await Record.ExceptionAsync(() => parked);
        Assert.IsType<IOException>(failure);
        Assert.Equal(WebSocketConnectionState.Aborted, connection.State);
    }

    [Fact]
    public async Task Batch_is_written_with_one_flush_per_16_KiB_not_per_message()
    {
        using var timeout = TestTimeout.Start();
        await using var transport = new CountingStream();
        await using var connection = new WebSocketConnection(transport, 1024);
        var messages = Enumerable.Range(0, 40).Select(i => (ReadOnlyMemory<byte>)Encoding.ASCII.GetBytes(new string('k', 300))).ToArray();

        await connection.SendBatchAsync(messages.Select(static m => Plain(m)).ToArray(), timeout.Token);

        Assert.Equal(1, transport.Writes);   // 40 × (4 + 300) bytes fit in one 16 KiB staging buffer
        Assert.Equal(1, transport.Flushes);
        Assert.Equal(40 * (4 + 300), transport.Length);
        Assert.Equal(0, connection.RentedBytes);
    }

    private static WebSocketOutboundMessage Plain(params ReadOnlyMemory<byte>[] segments) => WebSocketOutboundMessage.Plain(segments);

    private static byte[] Message(int task, int seq, int size)
    {
        string head = $"{task}:{seq}:";
        return Encoding.ASCII.GetBytes(head + new string((char)('a' + task), Math.Max(0, size - head.Length)));
    }

    private static (int Task, int Seq) Parse(byte[] payload, int[] sizes)
    {
        string text = Encoding.ASCII.GetString(payload);
        string[] parts = text.Split(':', 3);
        int task = int.Parse(parts[0], System.Globalization.CultureInfo.InvariantCulture);
        int seq = int.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(Message(task, seq, sizes[(task + seq) % sizes.Length]), payload);
        return (task, seq);
    }

    /// <summary>A write-only stream that counts writes and flushes, to check write coalescing.</summary>
    private sealed class CountingStream : MemoryStream
    {
        public int Writes { get; private set; }

        public int Flushes { get; private set; }

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            Writes++;
            return base.WriteAsync(buffer, cancellationToken);
        }

        public override Task FlushAsync(CancellationToken cancellationToken)
        {
            Flushes++;
            return base.FlushAsync(cancellationToken);
        }
    }
}

/// <summary>The same sends written straight to the socket, on a transport that schedules inline like the server's.</summary>
public sealed class DirectWebSocketSendTests : WebSocketSendTests
{
    protected override bool DirectSend => true;
}
