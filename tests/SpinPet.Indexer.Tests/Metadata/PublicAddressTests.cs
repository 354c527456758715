using System.Net;
using SpinPet.Indexer.Metadata;

namespace SpinPet.Indexer.Tests.Metadata;

/// <summary>
/// Which addresses a token's own uri may be fetched from (PublicAddressConnector.IsPublic): globally reachable unicast
/// only, and an IPv6 address that leads to an IPv4 address judged by that IPv4 address.
/// </summary>
public sealed class PublicAddressTests
{
    [Theory]
    // IPv4 special-purpose ranges.
    [InlineData("0.0.0.0")]
    [InlineData("0.1.2.3")]
    [InlineData("10.1.2.3")]
    [InlineData("100.64.0.1")]
    [InlineData("100.127.255.254")]
    [InlineData("127.0.0.1")]
    [InlineData("127.255.255.254")]
    [InlineData("169.254.169.254")]
    [InlineData("172.16.0.1")]
    [InlineData("172.31.255.254")]
    [InlineData("192.0.0.1")]
    [InlineData("192.0.0.170")]
    [InlineData("192.0.2.1")]
    [InlineData("192.88.99.1")]
    [InlineData("192.168.1.1")]
    [InlineData("198.18.0.1")]
    [InlineData("198.19.255.254")]
    [InlineData("198.51.100.7")]
    [InlineData("203.0.113.9")]
    [InlineData("224.0.0.1")]
    [InlineData("239.255.255.250")]
    [InlineData("240.0.0.1")]
    [InlineData("255.255.255.255")]
    // IPv6: unspecified, loopback, local, multicast, documentation, benchmarking, discard.
    [InlineData("::")]
    [InlineData("::1")]
    [InlineData("fc00::1")]
    [InlineData("fd00::1")]
    [InlineData("fe80::1")]
    [InlineData("fec0::1")]
    [InlineData("ff02::1")]
    [InlineData("ff0e::1")]
    [InlineData("2001:db8::1")]
    [InlineData("3fff::1")]
    [InlineData("2001:2::1")]
    [InlineData("100::1")]
    [InlineData("5f00::1")]
    // IPv6 leading to an inside IPv4 address.
    [InlineData("::ffff:127.0.0.1")]
    [InlineData("::ffff:10.0.0.1")]
    [InlineData("::ffff:169.254.169.254")]
    [InlineData("64:ff9b::7f00:1")]
    [InlineData("64:ff9b::10.0.0.1")]
    [InlineData("64:ff9b::169.254.169.254")]
    [InlineData("2002:7f00:1::")]
    [InlineData("2002:a00:1::1")]
    [InlineData("2002:a9fe:a9fe::1")]
    // IPv4-compatible (deprecated ::/96), the local-use NAT64 prefix and Teredo: refused whatever they embed.
    [InlineData("::127.0.0.1")]
    [InlineData("::10.0.0.1")]
    [InlineData("::8.8.8.8")]
    [InlineData("64:ff9b:1::8.8.8.8")]
    [InlineData("2001:0:4136:e378:8000:63bf:3fff:fdd2")]
    [InlineData("2001:0:808:808::")]
    public void Inside_special_and_embedded_inside_addresses_are_refused(string address)
    {
        Assert.False(PublicAddressConnector.IsPublic(IPAddress.Parse(address)));
    }

    [Theory]
    [InlineData("8.8.8.8")]
    [InlineData("1.1.1.1")]
    [InlineData("100.63.255.255")]
    [InlineData("100.128.0.1")]
    [InlineData("172.15.255.255")]
    [InlineData("172.32.0.1")]
    [InlineData("192.0.1.1")]
    [InlineData("198.17.255.255")]
    [InlineData("198.20.0.1")]
    [InlineData("223.255.255.254")]
    [InlineData("2606:4700:4700::1111")]
    [InlineData("2a00:1450:4001:80b::200e")]
    [InlineData("2001:200::1")]
    [InlineData("2c0f:fb50::1")]
    [InlineData("::ffff:8.8.8.8")]
    [InlineData("64:ff9b::8.8.8.8")]
    [InlineData("2002:808:808::1")]
    public void Public_addresses_and_ipv6_leading_to_a_public_ipv4_address_are_allowed(string address)
    {
        Assert.True(PublicAddressConnector.IsPublic(IPAddress.Parse(address)));
    }
}
