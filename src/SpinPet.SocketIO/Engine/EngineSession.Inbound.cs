namespace SpinPet.SocketIO.Engine;

internal sealed partial class EngineSession
{
    /// <summary>
    /// Handles what the client sent: one websocket message, or a polling POST body of packets separated by 0x1E.
    /// Dispatches are serialized (a POST still running when the upgrade completes cannot interleave with the
    /// websocket's messages). Returns once every packet was handled or the session started closing.
    /// </summary>
    public async ValueTask ReceiveAsync(ReadOnlyMemory<byte> received, bool isPayload)
    {
        if (!IsOpen)
        {
            return;
        }
        try
        {
            await _dispatch.WaitAsync(_closing.Token);
        }
        catch (OperationCanceledException)
        {
            return;
        }
        try
        {
            if (!isPayload)
            {
                await HandlePacketAsync(received);
                return;
            }
            int offset = 0;
            while (IsOpen && EnginePackets.TryReadNext(received, ref offset, out var packet))
            {
                if (!await HandlePacketAsync(packet))
                {
                    break;
                }
            }
        }
        finally
        {
            _dispatch.Release();
            if (!IsOpen)
            {
                TryRunDisconnects();
            }
        }
    }

    /// <summary>Records a refusal of client input: counted by the caller's kind, logged (throttled) with an excerpt.</summary>
    public void Reject(string problem, ReadOnlySpan<byte> packet) => _server.Rejections.Rejected(problem, Address, Id, packet);

    /// <summary>Rejects protocol garbage and closes the session, as the reference server does.</summary>
    public void FailProtocol(string problem, ReadOnlySpan<byte> packet, int webSocketCode = 0)
    {
        Counters.ProtocolError();
        Reject(problem, packet);
        Close(SocketIODisconnectReason.ProtocolError, webSocketCode);
    }

    /// <summary>One Engine.IO packet; false when the session is closing afterwards.</summary>
    private async ValueTask<bool> HandlePacketAsync(ReadOnlyMemory<byte> packet)
    {
        Volatile.Write(ref _lastReceivedAt, _server.Time.GetTimestamp());
        if (!EnginePackets.TryReadType(packet.Span, out var type))
        {
            FailProtocol(packet.IsEmpty ? "empty Engine.IO packet" : "Engine.IO packet of unknown type (binary packets are not served)", packet.Span);
            return false;
        }
        bool admitted = _bucket.TryTake();
        if (!admitted)
        {
            Counters.RateLimitedPacket();
            Reject("packet past the rate limit, dropped", packet.Span);
        }
        switch (type)
        {
            case EnginePacketType.Pong:
                // Always honoured, even past the rate: dropping it would end an honest session at its next ping.
                OnPong();
                return true;
            case EnginePacketType.Close:
                Close(SocketIODisconnectReason.TransportClose);
                return false;
            case EnginePacketType.Ping:
                // Engine.IO v4 pings go from the server to the client only ("invalid heartbeat direction").
                FailProtocol("client ping (Engine.IO v4 heartbeats run from the server)", packet.Span);
                return false;
            case EnginePacketType.Message:
                return await SocketIO.HandleAsync(packet[1..], admitted);
            default:
                // open, upgrade and noop outside an upgrade mean nothing here; the reference server ignores them too.
                return true;
        }
    }
}
