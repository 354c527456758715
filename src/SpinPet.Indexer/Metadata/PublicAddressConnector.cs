using System.Net;
using System.Net.Sockets;

namespace SpinPet.Indexer.Metadata;

/// <summary>
/// The connect step of the client that fetches a token's own https uri and every redirect hop off the gateway: a token's
/// creator chooses that URL, so it must not reach this machine or its private network. The host is resolved here, each
/// address is judged (<see cref="IsPublic"/>), and the socket connects to the judged addresses only: no second lookup
/// happens between the check and the connect, so a DNS answer that changes in between (rebinding) changes nothing.
/// Every new connection passes here, so a redirect to an inside address is refused like a first request.
/// </summary>
internal static class PublicAddressConnector
{
    public static async ValueTask<System.IO.Stream> ConnectAsync(SocketsHttpConnectionContext context, bool loopbackAllowed, CancellationToken cancellationToken)
    {
        var host = context.DnsEndPoint.Host;
        var addresses = IPAddress.TryParse(host, out var literal) ? [literal] : await Dns.GetHostAddressesAsync(host, cancellationToken).ConfigureAwait(false);
        var allowed = Array.FindAll(addresses, a => IsPublic(a) || (loopbackAllowed && IPAddress.IsLoopback(a)));
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

    /// <summary>
    /// Whether an address is globally reachable unicast (the IANA special-purpose registries), judged by the IPv4 address
    /// it leads to when it embeds one: IPv4-mapped <c>::ffff:a.b.c.d</c> (the socket dials the IPv4 address), NAT64
    /// <c>64:ff9b::a.b.c.d</c> (a NAT64 gateway does) and 6to4 <c>2002:AABB:CCDD::</c> (a relay does).
    /// </summary>
    internal static bool IsPublic(IPAddress address)
    {
        Span<byte> b = stackalloc byte[16];
        if (!address.TryWriteBytes(b, out int length))
        {
            return false;
        }
        if (address.AddressFamily == AddressFamily.InterNetwork && length == 4)
        {
            return IsPublicV4(b[..4]);
        }
        if (address.AddressFamily != AddressFamily.InterNetworkV6 || length != 16)
        {
            return false;
        }
        if (b[..10].IndexOfAnyExcept((byte)0) < 0 && b[10] == 0xFF && b[11] == 0xFF)
        {
            return IsPublicV4(b[12..]);
        }
        if (b[..12].SequenceEqual(Nat64WellKnownPrefix))
        {
            return IsPublicV4(b[12..]);
        }
        if (b[0] == 0x20 && b[1] == 0x02)
        {
            return IsPublicV4(b[2..6]);
        }
        // Outside global unicast 2000::/3 nothing is public: the unspecified address and loopback, IPv4-compatible
        // ::a.b.c.d (::/96, deprecated; no host has one), the local-use NAT64 prefix 64:ff9b:1::/48, discard-only
        // 100::/64, unique local fc00::/7, link-local fe80::/10, site-local fec0::/10 and multicast ff00::/8.
        if ((b[0] & 0xE0) != 0x20)
        {
            return false;
        }
        // Inside it: 2001::/23, the IETF protocol assignments (Teredo 2001::/32 embeds a relay and an obfuscated client
        // IPv4 address, benchmarking 2001:2::/48, ORCHID), and the documentation prefixes 2001:db8::/32 and 3fff::/20.
        return !((b[0] == 0x20 && b[1] == 0x01 && (b[2] & 0xFE) == 0)
            || (b[0] == 0x20 && b[1] == 0x01 && b[2] == 0x0D && b[3] == 0xB8)
            || (b[0] == 0x3F && b[1] == 0xFF && (b[2] & 0xF0) == 0));
    }

    /// <summary>64:ff9b::/96 (RFC 6052), the first 12 bytes.</summary>
    private static ReadOnlySpan<byte> Nat64WellKnownPrefix => [0x00, 0x64, 0xFF, 0x9B, 0, 0, 0, 0, 0, 0, 0, 0];

    private static bool IsPublicV4(ReadOnlySpan<byte> b) =>
        !(b[0] is 0 or 10 or 127 or >= 224                   // "this network" 0/8, private 10/8, loopback, multicast 224/4, reserved 240/4, broadcast
        || (b[0] == 100 && (b[1] & 0xC0) == 64)              // 100.64.0.0/10, carrier-grade NAT
        || (b[0] == 169 && b[1] == 254)                      // link-local, cloud metadata services
        || (b[0] == 172 && (b[1] & 0xF0) == 16)              // 172.16.0.0/12
        || (b[0] == 192 && b[1] == 168)                      // 192.168.0.0/16
        || (b[0] == 192 && b[1] == 0 && b[2] is 0 or 2)      // 192.0.0.0/24 IETF protocol assignments, 192.0.2.0/24 documentation
        || (b[0] == 192 && b[1] == 88 && b[2] == 99)         // 192.88.99.0/24, the retired 6to4 relay anycast
        || (b[0] == 198 && (b[1] & 0xFE) == 18)              // 198.18.0.0/15, benchmarking
        || (b[0] == 198 && b[1] == 51 && b[2] == 100)        // 198.51.100.0/24, documentation
        || (b[0] == 203 && b[1] == 0 && b[2] == 113));       // 203.0.113.0/24, documentation
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
