using System.Net;
using System.Net.Sockets;

namespace SpinPet.Server.Hosting;

/// <summary>The key of a client's rate-limit bucket: its IPv4 address, or its IPv6 /64.</summary>
internal static class ClientPartition
{
    /// <summary>
    /// An IPv6 host usually holds a whole /64 (SLAAC, privacy addresses): keyed per address, one client could take a
    /// fresh bucket, and the memory of one, per request. IPv4-mapped addresses count as their IPv4 address. A request
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
