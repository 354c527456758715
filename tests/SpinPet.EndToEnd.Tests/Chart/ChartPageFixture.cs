using SpinPet.EndToEnd.Tests.Harness;
using SpinPet.TestSupport;

namespace SpinPet.EndToEnd.Tests.Chart;

/// <summary>
/// What the chart page tests share: headless Chromium, a simulated chain with a minute of history whose trades the
/// tests produce on demand, and the real server indexing it — which a test may restart on the same port and
/// storage folder.
/// </summary>
public sealed class ChartPageFixture : IAsyncLifetime
{
    private static readonly TimeSpan CatchUp = TimeSpan.FromSeconds(90);

    private TempFolder _database = new();
    private ChainSimulator.ChainSimulator _simulator = null!;

    internal HeadlessChromium Browser { get; private set; } = null!;

    internal ServerProcess Server { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        // The browser first: without Chromium the tests fail at once, with the reason.
        Browser = await HeadlessChromium.StartAsync();
        _simulator = new ChainSimulator.ChainSimulator(new ChainSimulator.SimulatorOptions
        {
            Seed = 8,
            MintCount = 3,
            Clock = ChainSimulator.SimulatorClock.Virtual,
            // Virtual block times advance 0.4 s per slot from here: the 300 transactions below span about a minute
            // ending a little after now, so the chart shows recent times and its newest candle is still open.
            GenesisUnixTime = DateTimeOffset.UtcNow.ToUnixTimeSeconds() - 30,
        });
        await _simulator.StartAsync();
        _simulator.ProduceTransactions(300);
        Server = await ServerProcess.StartAsync(Settings());
        await Server.WaitForCheckpointAsync(LedgerAssert.NewestSignature(_simulator), CatchUp);
    }

    /// <summary>Produces blocks until one holds a priced event (a trade) of <paramref name="mint"/>; waits for nothing.</summary>
    internal void Trade(string mint)
    {
        while (true)
        {
            var blocks = _simulator.ProduceTransactions(1);
            if (blocks.SelectMany(b => b.Transactions).Where(t => !t.Failed).SelectMany(t => t.Events)
                .Any(e => e.Event.LatestPrice is not null && e.Event.MintAccount.ToString() == mint))
            {
                return;
            }
        }
    }

    internal void Produce(int transactions) => _simulator.ProduceTransactions(transactions);

    /// <summary>Waits until the server has stored everything the chain produced so far.</summary>
    internal Task CaughtUpAsync() => Server.WaitForCheckpointAsync(LedgerAssert.NewestSignature(_simulator), CatchUp);

    /// <summary>
    /// Stops the server (SIGTERM: its sockets close with 1001), runs <paramref name="whileDown"/>, and starts it again
    /// on the same port and storage folder (or, with <paramref name="freshDatabase"/>, an empty one: another epoch that
    /// indexes the same chain again) once it has caught up with the chain on another port.
    /// </summary>
    internal async Task RestartServerAsync(Func<Task> whileDown, bool freshDatabase = false)
    {
        int port = Server.BaseUri.Port;
        await Server.StopAsync();
        await Server.DisposeAsync();
        await whileDown();
        if (freshDatabase)
        {
            _database.Dispose();
            _database = new TempFolder();
        }
        // Caught up before the page can reach it: the server indexes on another port first, so the page, whose retry
        // timer does not wait for a catch-up, always reconnects to a server holding everything the chain did meanwhile
        // (what a page gets from a server still backfilling depends on when it happens to reconnect).
        await using (var warming = await ServerProcess.StartAsync(Settings()))
        {
            await warming.WaitForCheckpointAsync(LedgerAssert.NewestSignature(_simulator), CatchUp);
            await warming.StopAsync();
        }
        var settings = Settings();
        settings["SPIN_SERVER__PORT"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        Server = await ServerProcess.StartAsync(settings);
        await CaughtUpAsync();
    }

    /// <summary>
    /// Starts a second server on the same chain with its own storage folder and <c>kline.volume_unit</c> (the caller
    /// disposes it; <paramref name="database"/> outlives it), and waits until it has caught up.
    /// </summary>
    internal async Task<ServerProcess> StartServerWithVolumeUnitAsync(string volumeUnit, TempFolder database)
    {
        var settings = ServerProcess.SettingsFor(_simulator.RpcUri, _simulator.WsUri, database.Path);
        settings["SPIN_KLINE__VOLUME_UNIT"] = volumeUnit;
        var server = await ServerProcess.StartAsync(settings);
        try
        {
            await server.WaitForCheckpointAsync(LedgerAssert.NewestSignature(_simulator), CatchUp);
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Server is not null)
        {
            await Server.DisposeAsync();
        }
        if (_simulator is not null)
        {
            await _simulator.DisposeAsync();
        }
        if (Browser is not null)
        {
            await Browser.DisposeAsync();
        }
        _database.Dispose();
    }

    private Dictionary<string, string> Settings() => ServerProcess.SettingsFor(_simulator.RpcUri, _simulator.WsUri, _database.Path);
}
