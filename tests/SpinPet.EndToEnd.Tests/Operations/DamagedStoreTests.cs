using SpinPet.EndToEnd.Tests.Harness;
using SpinPet.Storage;
using SpinPet.TestSupport;

namespace SpinPet.EndToEnd.Tests.Operations;

public sealed class DamagedStoreTests
{
    /// <summary>
    /// A store RocksDB cannot open stops the server with one clear line and exit code 3 — no stack trace, and no new
    /// store written over the damaged one.
    /// </summary>
    [Fact]
    public async Task A_store_that_cannot_be_opened_stops_the_server_with_a_clear_error_and_leaves_the_files_alone()
    {
        using var database = new TempFolder("spinpet-damaged");
        using (SpinPetStore.Open(database.Path))
        {
            // A valid, empty store.
        }
        string current = Path.Combine(database.Path, "CURRENT");
        const string Damage = "not a manifest name";
        await File.WriteAllTextAsync(current, Damage, TestContext.Current.CancellationToken);

        await using var server = await ServerProcess.RunToExitAsync(new Dictionary<string, string>
        {
            ["SPIN_DATABASE__ROCKSDB_PATH"] = database.Path,
            ["SPIN_SERVER__HOST"] = "127.0.0.1",
            ["SPIN_SERVER__PORT"] = "0",
            ["SPIN_SOLANA__ENABLE_EVENT_LISTENER"] = "false",
        });

        Assert.True(server.ExitCode == 3, $"exit code {server.ExitCode}:\n{server.Output}");
        Assert.Contains("storage: The RocksDB store at " + database.Path, server.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("Unhandled exception", server.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", server.Output, StringComparison.Ordinal);
        Assert.Equal(Damage, await File.ReadAllTextAsync(current, TestContext.Current.CancellationToken));
    }
}
