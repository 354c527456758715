using System.Collections.Concurrent;
using System.Text;
using SpinPet.ChainSimulator;
using SpinPet.Core.Candles;
using SpinPet.Core.Chain;
using SpinPet.Core.Events;
using Sim = SpinPet.ChainSimulator.ChainSimulator;

namespace SpinPet.LoadGen;

/// <summary>
/// A chain simulator in this process (wall clock) producing trades at a fixed rate, plus the candle states each
/// trade produces (SpinPet.Core's <see cref="CandleBuilder"/> over the same ledger), keyed by
/// (mint, interval, candle time, update_count) → wall-clock ms of the block's emission.
/// </summary>
internal sealed class SimSource : IAsyncDisposable
{
    private readonly Sim _simulator;
    private readonly CandleBuilder _builder = new(Interval.Required, PriceScale.Default, VolumeUnit.None);
    private readonly List<CandleUpdate> _updates = [];
    private readonly List<string> _mints = [];
    private readonly HashSet<PublicKey> _seen = [];
    private readonly int _slotMs;

    private SimSource(Sim simulator, int slotMs)
    {
        _simulator = simulator;
        _slotMs = slotMs;
    }

    public ConcurrentDictionary<ulong, Emission> Emissions { get; } = new();

    public IReadOnlyList<string> Mints => _mints;

    public Uri RpcUri => _simulator.RpcUri;

    public Uri WsUri => _simulator.WsUri;

    public long Trades { get; private set; }

    public long StatesInWindow { get; private set; }

    /// <summary>
    /// From a slot's tick to the block's emission: the simulator composing the slot's transactions (in this process,
    /// before anything reaches the server), in the window.
    /// </summary>
    public LatencyHistogram ProduceLatency { get; } = new();

    /// <summary>
    /// From a block's publication to the end of the socket send of each of its notifications to the server: the
    /// simulator's sending (in this process), in the window. With <see cref="ProduceLatency"/> it is what an e2e
    /// figure from the emission still holds of the load generator's own time.
    /// </summary>
    public LatencyHistogram SendLatency { get; } = new();

    public static async Task<SimSource> StartAsync(int mints, double rate, int rpcPort, int wsPort, int seed, int slotMs)
    {
        var options = new SimulatorOptions
        {
            Clock = SimulatorClock.Wall,
            MintCount = mints,
            RpcPort = rpcPort,
            WsPort = wsPort,
            Seed = seed,
            SlotMilliseconds = slotMs,
            TransactionsPerBlock = Math.Max(0.01, rate * slotMs / 1000.0),
            // Deep queue: the server under test must not be disconnected for reading slowly during warm-up.
            SubscriberQueueCapacity = 1 << 16,
        };
        var simulator = new Sim(options);
        await simulator.StartAsync().ConfigureAwait(false);
        return new SimSource(simulator, slotMs);
    }

    /// <summary>Produces transactions until <paramref name="wanted"/> mints traded (bounded in count and time).</summary>
    public void Prime(int wanted, int maxTransactions, TimeSpan maxTime)
    {
        var until = DateTime.UtcNow + maxTime;
        int produced = 0;
        while (_mints.Count < wanted && produced < maxTransactions && DateTime.UtcNow < until)
        {
            var block = _simulator.ProduceBlock();
            produced += block.Transactions.Count;
            Apply(block, emission: null);
        }
    }

    /// <summary>Produces one block per slot at the configured rate until <paramref name="ct"/>; records emissions while <paramref name="record"/> says so.</summary>
    public async Task RunAsync(Func<bool> record, CancellationToken ct)
    {
        _simulator.Stats.NotificationSendDelay = ms =>
        {
            if (record())
            {
                SendLatency.Record(ms);
            }
        };
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(_slotMs));
        try
        {
            while (await timer.WaitForNextTickAsync(ct).ConfigureAwait(false))
            {
                double tick = Clock.NowMs();
                var block = _simulator.ProduceBlock();
                var emission = new Emission(Clock.Ms(block.EmittedAt), tick);
                bool inWindow = record();
                if (inWindow)
                {
                    ProduceLatency.Record(emission.EmittedMs - tick);
                }
                Apply(block, emission, inWindow);
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // The end of the run.
        }
    }

    private void Apply(SimulatedBlock block, Emission? emission, bool inWindow = false)
    {
        Span<byte> symbol = stackalloc byte[64];
        Span<byte> interval = stackalloc byte[8];
        foreach (var tx in block.Transactions)
        {
            if (tx.Failed)
            {
                continue;
            }
            Trades++;
            foreach (var ev in tx.Events)
            {
                var chainEvent = new ChainEvent(default, new ChainPosition(ev.Slot, (uint)ev.TxIndexInSlot, (ushort)ev.EventIndex), ev.BlockTime, ev.Event);
                _updates.Clear();
                _builder.Apply(chainEvent, _updates);
                if (ev.Event.LatestPrice is not null && _seen.Add(ev.Event.MintAccount))
                {
                    _mints.Add(ev.Event.MintAccount.ToString());
                }
                if (emission is not { } emitted)
                {
                    continue;
                }
                foreach (var update in _updates)
                {
                    if (update.Kind == CandleUpdateKind.Closed)
                    {
                        continue;
                    }
                    int sl = Encoding.ASCII.GetBytes(update.Mint.ToString(), symbol);
                    int il = Encoding.ASCII.GetBytes(update.Interval.Name, interval);
                    Emissions[TopicHash.Of(symbol[..sl], interval[..il], update.Candle.Time, update.Candle.UpdateCount)] = emitted;
                    if (inWindow)
                    {
                        StatesInWindow++;
                    }
                }
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await _simulator.DisposeAsync().ConfigureAwait(false);
        }
        catch (ObjectDisposedException e)
        {
            // ChainSimulator.DisposeAsync can abort a PubSub connection whose HttpContext the host already
            // disposed (the server under test hung up first). The measurement is finished by then.
            Console.Error.WriteLine("simulator dispose: " + e.Message);
        }
    }
}

/// <summary>A candle state's origin: its block's emission, and the slot tick that started composing the block (both wall-clock ms).</summary>
internal readonly record struct Emission(double EmittedMs, double TickMs);
