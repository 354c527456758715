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
}
