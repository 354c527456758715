using SpinPet.EndToEnd.Tests.Harness;
using SpinPet.TestSupport;

namespace SpinPet.EndToEnd.Tests.Operations;

public sealed class ConfigurationErrorTests
{
    /// <summary>A bad [solana] value stops the real process with exit code 2 and one line naming the key.</summary>
    [Fact]
    public async Task A_bad_solana_value_stops_the_server_with_exit_code_2_and_one_line_naming_the_key()
    {
        using var database = new TempFolder("spinpet-badconfig");
        await using var server = await ServerProcess.RunToExitAsync(new Dictionary<string, string>
        {
            ["SPIN_DATABASE__ROCKSDB_PATH"] = database.Path,
            ["SPIN_SOLANA__COMMITMENT"] = "processed",
        });

        Assert.True(server.ExitCode == 2, $"exit code {server.ExitCode}:\n{server.Output}");
        var lines = server.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(["solana.commitment: 'processed' is refused (the server does not handle rollbacks); use confirmed or finalized"], lines);
    }

    /// <summary>
    /// A section nobody reads (a typo in an environment variable's section), a proxy address that is not one, or a
    /// cluster role without a cluster: the real process stops with exit code 2 and one line naming it.
    /// </summary>
    [Theory]
    [InlineData("SPIN_CLUSTR__MODE", "nats", "clustr: unknown section (set by SPIN_CLUSTR__MODE; known sections: cluster, cors, database, ipfs, kline, logging, rest, security, server, simulator, solana, websocket)")]
    [InlineData("SPIN_SERVER__KNOWN_PROXIES__0", "10.0.0.300", "server.known_proxies: '10.0.0.300' is not an IP address or CIDR network (e.g. 10.0.0.2, 10.0.0.0/24 or fd00::/8)")]
    [InlineData("SPIN_CLUSTER__ROLE", "gateway", "cluster.role: 'gateway' needs cluster.mode = nats; a single node is all roles")]
    public async Task A_bad_setting_from_the_environment_stops_the_server_with_exit_code_2_and_one_line(string variable, string value, string line)
    {
        using var database = new TempFolder("spinpet-badconfig");
        await using var server = await ServerProcess.RunToExitAsync(new Dictionary<string, string>
        {
            ["SPIN_DATABASE__ROCKSDB_PATH"] = database.Path,
            [variable] = value,
        });

        Assert.True(server.ExitCode == 2, $"exit code {server.ExitCode}:\n{server.Output}");
        Assert.Equal([line], server.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }
}
