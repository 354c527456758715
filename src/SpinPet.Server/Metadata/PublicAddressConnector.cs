using System.Net;
using System.Net.Sockets;

namespace SpinPet.Server.Metadata;

/// <summary>
/// The connect step of the client that fetches a token's own https uri (not the gateway): a token's creator chooses
/// that URL, so it must not reach this machine or its private network (loopback, RFC 1918, link-local with the cloud
/// metadata service, CGNAT, unique-local IPv6). The check runs on the resolved addresses at connect time, so a DNS
/// name pointing inside and a redirect to an inside address are refused alike.
/// </summary>
internal static class PublicAddressConnector
{
    public static async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken cancellationToken)
    {
        var host = context.DnsEndPoint.Host;
        var addresses = IPAddress.TryParse(host, out var literal) ? [literal] : await Dns.GetHostAddressesAsync(host, cancellationToken).ConfigureAwait(false);
        var allowed = Array.FindAll(addresses, IsPublic);
        if (allowed.Length == 0)
        {
            throw new AddressNotAllowedException($"{host} has no public address; token uris are not fetched from private networks");
        }
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(allowed, context.DnsEndPoint.Port, cancellationToken).ConfigureAwait(false);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    internal static bool IsPublic(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }
        if (IPAddress.IsLoopback(address) || address.Equals(IPAddress.Any) || address.Equals(IPAddress.IPv6Any) || address.Equals(IPAddress.Broadcast))
        {
            return false;
        }
        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            Span<byte> b = stackalloc byte[4];
            address.TryWriteBytes(b, out _);
            return !(b[0] is 0 or 10 or 127 or >= 224
                || (b[0] == 100 && (b[1] & 0xC0) == 64)      // 100.64.0.0/10, carrier-grade NAT
                || (b[0] == 169 && b[1] == 254)              // link-local, cloud metadata services
                || (b[0] == 172 && (b[1] & 0xF0) == 16)      // 172.16.0.0/12
                || (b[0] == 192 && b[1] == 168)
                || (b[0] == 192 && b[1] == 0 && b[2] == 0)   // IETF protocol assignments
                || (b[0] == 198 && (b[1] & 0xFE) == 18));    // benchmarking 198.18.0.0/15
        }
        if (address.AddressFamily == AddressFamily.InterNetworkV6)
        {
            Span<byte> b = stackalloc byte[16];
            address.TryWriteBytes(b, out _);
            return !(address.IsIPv6LinkLocal || address.IsIPv6SiteLocal || address.IsIPv6Multicast
                || (b[0] & 0xFE) == 0xFC);                   // fc00::/7, unique local
        }
        return false;
    }
}

/// <summary>A token uri's host resolves only to addresses the fetcher refuses: a permanent failure, never retried.</summary>
internal sealed class AddressNotAllowedException : Exception
{
    public AddressNotAllowedException(string message)
        : base(message)
    {
    }

    public AddressNotAllowedException()
    {
    }

    public AddressNotAllowedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
