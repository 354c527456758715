using System.Net;
using SpinPet.Server.Hosting;
using SpinPet.SocketIO;
using SpinPet.Streaming.Sessions;

namespace SpinPet.Server.SocketIO;

/// <summary>
/// Socket.IO sessions count against the same limits as <c>/ws</c> connections: <c>websocket.max_connections</c> for
/// the server and <c>websocket.max_connections_per_ip</c> per client (an IPv4 address or IPv6 /64, as on <c>/ws</c>).
/// </summary>
internal sealed class SessionRegistryAdmission(SessionRegistry registry) : ISocketIOAdmission
{
    public bool TryReserve(string address, out string? refusal) =>
        // The registry's per-address outbox budget is /ws's: a Socket.IO session's outbox has its own bound
        // (websocket.max_outbox_bytes), past which the session is closed.
        registry.TryReserve(Partition(address), out _, out refusal);

    public void Release(string address) => registry.Release(Partition(address));

    private static string Partition(string address) =>
        ClientPartition.Of(IPAddress.TryParse(address, out var ip) ? ip : null).ToString();
}
