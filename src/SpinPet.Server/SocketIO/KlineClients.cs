using System.Collections.Concurrent;
using SpinPet.Core.Figures;

namespace SpinPet.Server.SocketIO;

/// <summary>
/// The Socket.IO clients of <c>/kline</c> now, for the admin subscriptions route, and their subscription count (a
/// maintained figure: the unauthenticated status route and <c>/metrics</c> read it without walking the clients).
/// </summary>
internal sealed class KlineClients
{
    private readonly ConcurrentDictionary<KlineClient, byte> _clients = new();

    public Figure Subscriptions { get; } = new("spinpet.socketio.subscriptions", FigureKind.UpDown, "{subscription}",
        "Active K-line subscriptions of Socket.IO /kline clients.");

    public IEnumerable<KlineClient> Clients => _clients.Keys;

    public void Add(KlineClient client) => _clients.TryAdd(client, 0);

    public void Remove(KlineClient client) => _clients.TryRemove(client, out _);
}
