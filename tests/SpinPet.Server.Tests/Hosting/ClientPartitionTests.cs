using System.Net;
using SpinPet.Server.Hosting;

namespace SpinPet.Server.Tests.Hosting;

/// <summary>
/// Who counts as one client for the per-address limits (the REST bucket, /ws connections and outbox budget per IP):
/// an IPv4 address, an IPv6 /64, an IPv4-mapped address as its IPv4 address.
/// </summary>
public sealed class ClientPartitionTests
{
    [Theory]
    [InlineData("203.0.113.7", "203.0.113.7")]
    [InlineData("::ffff:203.0.113.7", "203.0.113.7")]
    [InlineData("2001:db8:1:2::a", "2001:db8:1:2::")]
    [InlineData("2001:db8:1:2:ffff:ffff:ffff:ffff", "2001:db8:1:2::")]
    [InlineData("2001:db8:1:3::a", "2001:db8:1:3::")]
    [InlineData("::1", "::")]
    public void An_address_counts_as_its_partition(string address, string partition) =>
        Assert.Equal(IPAddress.Parse(partition), ClientPartition.Of(IPAddress.Parse(address)));

    [Fact]
    public void Addresses_of_one_64_share_a_partition_and_neighbouring_64s_do_not()
    {
        var one = ClientPartition.Of(IPAddress.Parse("2001:db8:1:2::1"));
        Assert.Equal(one, ClientPartition.Of(IPAddress.Parse("2001:db8:1:2:8000::1")));
        Assert.NotEqual(one, ClientPartition.Of(IPAddress.Parse("2001:db8:1:1:ffff:ffff:ffff:ffff")));
        // The key the /ws registry uses is the partition's text: equal partitions, equal keys.
        Assert.Equal(one.ToString(), ClientPartition.Of(IPAddress.Parse("2001:db8:1:2:abcd::")).ToString());
    }

    [Fact]
    public void A_connection_without_an_address_shares_one_partition() =>
        Assert.Equal(IPAddress.None, ClientPartition.Of(null));
}
