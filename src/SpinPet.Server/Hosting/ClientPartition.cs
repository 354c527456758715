using System.Net;
using System.Net.Sockets;

namespace SpinPet.Server.Hosting;

/// <summary>
/// Who counts as one client for every per-address limit: the REST rate limit's bucket (<see cref="RestRateLimiting"/>)
/// and, on <c>/ws</c>, <c>websocket.max_connections_per_ip</c> and <c>max_outbox_bytes_per_ip</c>: its IPv4 address,
/// or its IPv6 /64.
/// </summary>
internal static class ClientPartition
{
    /// <summary>
    /// An IPv6 host usually holds a whole /64 (SLAAC, privacy addresses): keyed per address, one client could take a
    /// fresh bucket, and the memory of one, per request, and a fresh allowance of sockets and outbox bytes per address. IPv4-mapped addresses count as their IPv4 address. A request
    /// without a remote address (not over TCP) shares one bucket.
    /// </summary>
    public static IPAddress Of(IPAddress? address)
    {
        if (address is null)
        {
            return IPAddress.None;
        }
        if (address.IsIPv4MappedToIPv6)
        {
            return address.MapToIPv4();
        }
        if (address.AddressFamily != AddressFamily.InterNetworkV6)
        {
            return address;
        }
        Span<byte> bytes = stackalloc byte[16];
        address.TryWriteBytes(bytes, out _);
        bytes[8..].Clear();
        return new IPAddress(bytes);
    }
}
