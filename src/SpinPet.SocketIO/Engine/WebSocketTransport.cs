using System.Net.WebSockets;

namespace SpinPet.SocketIO.Engine;

/// <summary>
/// The websocket transport: one text frame per packet both ways. A reader hands each message to the session; one
/// writer drains the outbox in batches of up to 64 packets, one flush each, and ends with a close frame when the
/// session closes. A websocket that names a polling session is a probe: <c>2probe</c> is answered <c>3probe</c> (the
/// pending GET is released with a noop so the client can pause polling), and <c>5</c> moves the session onto it.
/// </summary>
internal static class WebSocketTransport
{
    private const int BatchPackets = 64;

    // After our close frame, how long the peer gets to answer with its own before the connection is dropped.
    private static readonly TimeSpan PeerCloseTimeout = TimeSpan.FromSeconds(2);

    /// <summary>Carries <paramref name="session"/> (already on the websocket transport) until it ends, then tears it down.</summary>
    public static async Task RunAsync(EngineSession session, IEngineWebSocket socket)
    {
        try
        {
            var writer = WriteAsync(session, socket);
            var reader = ReadAsync(session, socket);
            if (await Task.WhenAny(writer, reader) == writer)
            {
                // Our close frame went out (or the send failed): give the peer a moment to answer it.
                await reader.WaitAsync(PeerCloseTimeout).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
            session.Teardown();
            socket.Abort();
            await Task.WhenAll(writer, reader);
        }
        catch (Exception ex)
        {
            // Both loops handle what a transport or a client can do; anything else is a bug, logged, and ends only this session.
            SocketIOLog.TransportFailed(session.Server.Logger, ex, session.Id);
        }
        finally
        {
            session.Teardown();
            await socket.DisposeAsync();
        }
    }

    /// <summary>
    /// A websocket for an existing polling session: the upgrade handshake, then the session's transport. Without
    /// the upgrade packet within the upgrade timeout (or after anything else) the probe is dropped and the session
    /// stays on polling.
    /// </summary>
    public static async Task ProbeAsync(EngineSession session, IEngineWebSocket socket)
    {
        if (!session.TryBeginUpgrade())
        {
            // Another probe got there first (the server refuses a second one before the upgrade when it can see it).
            session.Reject("a second websocket probe for one session", default);
            socket.Abort();
            await socket.DisposeAsync();
            return;
        }
        bool upgraded = false;
        try
        {
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(session.Aborted);
            deadline.CancelAfter(session.Options.UpgradeTimeout);
            while (true)
            {
                var message = await socket.ReceiveAsync(deadline.Token);
                if (message.Kind != EngineWebSocketMessageKind.Text)
                {
                    break;
                }
                var payload = message.Payload.Span;
                if (payload.SequenceEqual(EnginePackets.ProbePing))
                {
                    await socket.SendAsync([new EngineTextMessage(EnginePackets.ProbePong)], deadline.Token);
                    session.Outbox.Wake();
                    continue;
                }
                if (payload.Length >= 1 && payload[0] == (byte)'0' + (int)EnginePacketType.Upgrade && session.CompleteUpgrade())
                {
                    upgraded = true;
                    break;
                }
                session.Reject("unexpected packet on an upgrade probe", payload);
                break;
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or WebSocketException or IOException)
        {
            // Timed out, or the probe connection failed: the session carries on over polling.
        }
        if (upgraded)
        {
            await RunAsync(session, socket);
            return;
        }
        session.AbandonUpgrade();
        socket.Abort();
        await socket.DisposeAsync();
    }

    private static async Task ReadAsync(EngineSession session, IEngineWebSocket socket)
    {
        await Task.Yield();
        while (true)
        {
            var message = await socket.ReceiveAsync(session.Aborted);
            if (!session.IsOpen && message.Kind != EngineWebSocketMessageKind.Closed)
            {
                // Closing: what still arrives before the close handshake is read and dropped.
                continue;
            }
            switch (message.Kind)
            {
                case EngineWebSocketMessageKind.Text:
                    await session.ReceiveAsync(message.Payload, isPayload: false);
                    break;
                case EngineWebSocketMessageKind.Binary:
                    session.FailProtocol("binary websocket message (binary packets are not served)", default, webSocketCode: 1003);
                    break;
                case EngineWebSocketMessageKind.RateLimited:
                    session.Counters.RateLimitedPacket();
                    break;
                case EngineWebSocketMessageKind.TooLarge:
                    session.Counters.OverSize();
                    session.Reject($"websocket message over {session.Options.MaxPayloadBytes} bytes", default);
                    session.Close(SocketIODisconnectReason.Refused, webSocketCode: 1009);
                    break;
                default:
                    session.Close(SocketIODisconnectReason.TransportClose);
                    return;
            }
        }
    }

    private static async Task WriteAsync(EngineSession session, IEngineWebSocket socket)
    {
        await Task.Yield();
        var batch = new List<EngineTextMessage>(BatchPackets);
        using var sendDeadline = CancellationTokenSource.CreateLinkedTokenSource(session.Aborted);
        try
        {
            while (true)
            {
                _ = await session.Outbox.WaitAsync(session.Aborted);
                long bytes = session.Outbox.Drain(batch, BatchPackets, out bool finished);
                if (batch.Count > 0)
                {
                    sendDeadline.CancelAfter(session.Options.SendTimeout);
                    try
                    {
                        await socket.SendAsync(batch, sendDeadline.Token);
                    }
                    finally
                    {
                        session.Outbox.Release(bytes);
                    }
                    session.Counters.Sent(batch.Count);
                    batch.Clear();
                    if (!sendDeadline.TryReset())
                    {
                        throw new OperationCanceledException(sendDeadline.Token);
                    }
                }
                if (finished)
                {
                    await socket.CloseAsync(session.CloseCode, string.Empty, session.Aborted);
                    return;
                }
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or WebSocketException or IOException or InvalidOperationException)
        {
            bool stalled = sendDeadline.IsCancellationRequested && !session.Aborted.IsCancellationRequested;
            session.Close(stalled ? SocketIODisconnectReason.SlowConsumer : SocketIODisconnectReason.TransportClose);
            socket.Abort();
        }
    }
}
