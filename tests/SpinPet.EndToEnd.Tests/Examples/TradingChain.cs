using SpinPet.EndToEnd.Tests.Harness;
using SpinPet.TestSupport;

namespace SpinPet.EndToEnd.Tests.Examples;

/// <summary>
/// A simulated chain with some history, the real server caught up on it, and the mint that traded most: what the
/// example clients connect to. <see cref="WhileTradingAsync"/> keeps the chain trading so live updates flow.
/// Subclasses pick another seed or extra server settings (<c>SPIN_…</c> variables).
/// </summary>
public class TradingChain : IAsyncLifetime
{
    private static readonly TimeSpan CatchUp = TimeSpan.FromSeconds(90);
    // Bounds the producer even if a client never exits: 600 rounds of 50 ms is about 30 s of trading.
    private const int MaxRounds = 600;
    private const int TransactionsPerRound = 5;
    private static readonly TimeSpan RoundPause = TimeSpan.FromMilliseconds(50);

    private readonly TempFolder _database = new();
    private ChainSimulator.ChainSimulator _simulator = null!;

    private readonly int _seed;
    private readonly IReadOnlyDictionary<string, string> _serverSettings;

    public TradingChain()
        : this(seed: 81, new Dictionary<string, string>())
    {
    }

    protected TradingChain(int seed, IReadOnlyDictionary<string, string> serverSettings)
    {
        _seed = seed;
        _serverSettings = serverSettings;
    }

    internal ChainSimulator.ChainSimulator Simulator => _simulator;

    internal ServerProcess Server { get; private set; } = null!;

    /// <summary>Every mint with priced events in the history.</summary>
    internal string[] Mints { get; private set; } = [];

    /// <summary>The mint with the most priced events in the history, so it also trades often afterwards.</summary>
    public string Mint { get; private set; } = "";

    public string WsUrl => new UriBuilder(Server.BaseUri) { Scheme = "ws", Path = "/ws" }.Uri.ToString();

    public async ValueTask InitializeAsync()
    {
        _simulator = new ChainSimulator.ChainSimulator(new ChainSimulator.SimulatorOptions
        {
            Seed = _seed,
            MintCount = 4,
            Clock = ChainSimulator.SimulatorClock.Virtual,
        });
        await _simulator.StartAsync();
        _simulator.ProduceTransactions(300);
        var settings = ServerProcess.SettingsFor(_simulator.RpcUri, _simulator.WsUri, _database.Path);
        foreach (var (key, value) in _serverSettings)
        {
            settings[key] = value;
        }
        Server = await ServerProcess.StartAsync(settings);
        await Server.WaitForCheckpointAsync(LedgerAssert.NewestSignature(_simulator), CatchUp);
        Mints = ReferenceCandles.Mints(_simulator.ExpectedEvents());
        Mint = _simulator.ExpectedEvents()
            .Where(e => e.Event.LatestPrice is not null)
            .GroupBy(e => e.Event.MintAccount.ToString())
            .OrderByDescending(g => g.Count())
            .First().Key;
    }

    /// <summary>Runs <paramref name="client"/> while the chain produces a few transactions every 50 ms (at most ~30 s).</summary>
    internal async Task<T> WhileTradingAsync<T>(Func<Task<T>> client)
    {
        using var stop = new CancellationTokenSource();
        var producer = Task.Run(async () =>
        {
            for (int round = 0; round < MaxRounds && !stop.IsCancellationRequested; round++)
            {
                _simulator.ProduceTransactions(TransactionsPerRound);
                await Task.Delay(RoundPause, CancellationToken.None);
            }
        }, CancellationToken.None);
        try
        {
            return await client();
        }
        finally
        {
            await stop.CancelAsync();
            await producer;
        }
    }

    public async ValueTask DisposeAsync()
    {
        GC.SuppressFinalize(this);
        if (Server is not null)
        {
            await Server.DisposeAsync();
        }
        if (_simulator is not null)
        {
            await _simulator.DisposeAsync();
        }
        _database.Dispose();
    }
}
