using SpinPet.TestSupport;

namespace SpinPet.EndToEnd.Tests.Harness;

/// <summary>
/// One server with the event listener off, shared by a test class (xunit class fixture): for tests of request
/// handling that need no chain.
/// </summary>
public sealed class SharedServer : IAsyncLifetime
{
    private readonly TempFolder _database = new();

    internal ServerProcess Server { get; private set; } = null!;

    public async ValueTask InitializeAsync() =>
        Server = await ServerProcess.StartAsync(new Dictionary<string, string>
        {
            ["SPIN_DATABASE__ROCKSDB_PATH"] = _database.Path,
            ["SPIN_SOLANA__ENABLE_EVENT_LISTENER"] = "false",
        });

    public async ValueTask DisposeAsync()
    {
        await Server.DisposeAsync();
        _database.Dispose();
    }
}
