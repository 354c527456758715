using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;

namespace SpinPet.SocketIO;

public static class SocketIOEndpoint
{
    /// <summary>
    /// Serves <paramref name="server"/> at <paramref name="path"/> (socket.io-client's default is <c>/socket.io/</c>;
    /// with or without the trailing slash): every method, since polling POSTs and the handshake's refusals
    /// (a POST handshake is "Bad handshake method") are the server's to answer.
    /// </summary>
    public static IEndpointConventionBuilder MapSocketIO(this IEndpointRouteBuilder routes, string path, SocketIOServer server)
    {
        ArgumentNullException.ThrowIfNull(routes);
        ArgumentNullException.ThrowIfNull(server);
        return routes.Map(path, server.HandleAsync);
    }
}
