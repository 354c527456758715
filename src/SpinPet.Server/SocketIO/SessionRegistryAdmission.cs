using System.Net;
using SpinPet.Server.Hosting;
using SpinPet.SocketIO;
using SpinPet.Streaming.Sessions;

namespace SpinPet.Server.SocketIO;

/// <summary>
/// Socket.IO sessions count against the same limits as <c>/ws</c> connections: <c>websocket.max_connections</c> for
/// the server and <c>websocket.max_connections_per_ip</c> per client (an IPv4 address or IPv6 /64, as on <c>/ws</c>),
/// and their outboxes draw on the same budgets (<c>websocket.max_outbox_bytes_per_ip</c>,
/// <c>websocket.max_outbox_bytes_total</c>) by the same rule: the first 64 KiB of each are its own, the rest is
/// credit in 64 KiB chunks.
/// </summary>
internal sealed class SessionRegistryAdmission(SessionRegistry registry) : ISocketIOAdmission
{
    public bool TryReserve(string address, out ISocketIOOutboxCredit? credit, out string? refusal)
    {
        credit = registry.TryReserve(Partition(address), out var budget, out refusal) ? new BudgetCredit(new OutboxCredit(budget)) : null;
        return credit is not null;
    }

    public void Release(string address) => registry.Release(Partition(address));

    private static string Partition(string address) =>
        ClientPartition.Of(IPAddress.TryParse(address, out var ip) ? ip : null).ToString();

    /// <summary>A session's <see cref="OutboxCredit"/>, as the Socket.IO outbox asks for it.</summary>
    private sealed class BudgetCredit(OutboxCredit credit) : ISocketIOOutboxCredit
    {
        public bool TryCover(long bytes) => credit.TryCover(bytes) == OutboxOverflow.None;

        public void Trim(long bytes, bool final) => credit.Trim(bytes, final);
    }
}
