using SpinPet.ChainSimulator.Chain;
using SpinPet.ChainSimulator.Generation;
using SpinPet.ChainSimulator.PubSub;
using SpinPet.ChainSimulator.Hosting;
using SpinPet.ChainSimulator.Rpc;

namespace SpinPet.ChainSimulator;

/// <summary>
/// A Solana RPC node on loopback that produces SpinPet activity: HTTP JSON-RPC and PubSub WebSocket on two ports,
/// a deterministic ledger per seed, and switchable faults. Block production is thread-safe with respect to
/// concurrent RPC reads and to itself.
/// </summary>
public sealed class ChainSimulator : IAsyncDisposable
{
    private readonly SimulatorOptions _options;
    private readonly Lock _production = new();
    private readonly Entropy _entropy;
    private readonly MarketGenerator _market;
    private readonly TransactionComposer _composer;
    private readonly Ledger _ledger;
    private readonly PubSubHub _hub;
    private readonly CancellationTokenSource _shutdown = new();
    private ulong _nextSlot;
    private long _lastBlockTime;
    private SimulatorServers? _servers;
    private int _disposed;

    public ChainSimulator(SimulatorOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options;
        _entropy = new Entropy(options.Seed);
        _market = new MarketGenerator(options, _entropy);
        _composer = new TransactionComposer(options.ProgramId, options.MalformedDataRate, _entropy);
        _ledger = new Ledger(options.GenesisSlot);
        Stats = new SimulatorStats();
        _hub = new PubSubHub(options, Stats);
        Faults = new SimulatorFaults(_hub);
        _nextSlot = options.GenesisSlot;
    }

    public Uri RpcUri => _servers?.RpcUri ?? throw NotStarted();

    public Uri WsUri => _servers?.WsUri ?? throw NotStarted();

    public SimulatorFaults Faults { get; }

    public SimulatorStats Stats { get; }

    /// <summary>Every produced block, in chain order (a snapshot).</summary>
    public IReadOnlyList<SimulatedBlock> Blocks => _ledger.Blocks();

    /// <summary>The newest slot with a block.</summary>
    public ulong Tip => _ledger.Tip;

    /// <summary>Binds the RPC and PubSub ports.</summary>
    public async Task StartAsync(CancellationToken ct = default)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        if (_servers is not null)
        {
            throw new InvalidOperationException("The simulator is already started.");
        }
        var rpc = new RpcHandler(_options, _ledger, Stats, Faults);
        _servers = await SimulatorServers.StartAsync(_options, rpc, _hub, Faults, Stats, _shutdown.Token, ct).ConfigureAwait(false);
    }

    /// <summary>
    /// Produces the next block (skipping a slot now and then, as leaders do) with 0..k program transactions and
    /// notifies subscribers at commitment confirmed.
    /// </summary>
    public SimulatedBlock ProduceBlock()
    {
        lock (_production)
        {
            while (true)
            {
                var block = ProduceSlotLocked(_options.TransactionsPerBlock);
                if (block is not null)
                {
                    return block;
                }
            }
        }
    }

    /// <summary>Produces blocks until at least <paramref name="count"/> program transactions were added.</summary>
    public IReadOnlyList<SimulatedBlock> ProduceTransactions(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        var blocks = new List<SimulatedBlock>();
        int added = 0;
        while (added < count)
        {
            var block = ProduceBlock();
            blocks.Add(block);
            added += block.Transactions.Count;
        }
        return blocks;
    }

    /// <summary>
    /// Produces one slot every <see cref="SimulatorOptions.SlotMilliseconds"/> with
    /// <paramref name="transactionsPerSecond"/> program transactions on average, until <paramref name="ct"/> is
    /// cancelled; then it returns normally.
    /// </summary>
    public async Task RunAsync(double transactionsPerSecond, CancellationToken ct)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(transactionsPerSecond);
        double perSlot = transactionsPerSecond * _options.SlotMilliseconds / 1000.0;
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(_options.SlotMilliseconds));
        try
        {
            while (await timer.WaitForNextTickAsync(ct).ConfigureAwait(false))
            {
                lock (_production)
                {
                    ProduceSlotLocked(perSlot);
                }
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // Cancellation is how the demo stops.
        }
    }

    /// <summary>
    /// What a correct indexer stores: each visible event of each non-failed transaction, in chain order.
    /// </summary>
    public IReadOnlyList<LedgerEvent> ExpectedEvents() =>
        [.. _ledger.Blocks().SelectMany(static block => block.Transactions).Where(static tx => !tx.Failed).SelectMany(static tx => tx.Events)];

    /// <summary>
    /// What a correct indexer keeps for replay: each visible malformed data line of each non-failed transaction, in
    /// chain order (empty unless <see cref="SimulatorOptions.MalformedDataRate"/> is set).
    /// </summary>
    public IReadOnlyList<LedgerMalformedData> ExpectedMalformedData() =>
        [.. _ledger.Blocks().SelectMany(static block => block.Transactions).Where(static tx => !tx.Failed).SelectMany(static tx => tx.MalformedData)];

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }
        await _shutdown.CancelAsync().ConfigureAwait(false);
        _hub.DropAll();
        if (_servers is not null)
        {
            await _servers.DisposeAsync().ConfigureAwait(false);
        }
        _shutdown.Dispose();
    }

    private SimulatedBlock? ProduceSlotLocked(double meanTransactions)
    {
        ulong slot = _nextSlot++;
        if (_entropy.Chance(_options.SkippedSlotRate))
        {
            return null;
        }
        long blockTime = BlockTimeOf(slot);
        int count = _entropy.Poisson(meanTransactions);
        var ledgerTransactions = new List<LedgerTransaction>(count);
        var transactions = new SimulatedTransaction[count];
        // Unrelated transactions share the block, so the program's ones sit at scattered positions.
        int indexInBlock = _entropy.Next(0, 4);
        for (int i = 0; i < count; i++)
        {
            var composed = _composer.Compose(_market.Next(blockTime));
            string signature = _entropy.NewSignature();
            var events = new List<LedgerEvent>(composed.VisibleData.Count);
            var malformed = new List<LedgerMalformedData>();
            for (int e = 0; e < composed.VisibleData.Count; e++)
            {
                // e counts every data line of the program, malformed ones included: the event index rule.
                var own = composed.VisibleData[e];
                if (own.Event is { } spinPetEvent)
                {
                    events.Add(new LedgerEvent(signature, slot, i, e, blockTime, spinPetEvent, own.Payload) { TrailingBytes = own.TrailingBytes });
                }
                else
                {
                    malformed.Add(new LedgerMalformedData(signature, slot, i, e, blockTime, own.Malformed!.Value, own.Payload));
                }
            }
            transactions[i] = new SimulatedTransaction(signature, slot, indexInBlock, composed.Error is not null, composed.Logs, events, malformed);
            ledgerTransactions.Add(new LedgerTransaction(
                transactions[i], blockTime, composed.Error, composed.Message, composed.ComputeUnitsConsumed, composed.Fee, composed.PayerLamportsBefore));
            indexInBlock += 1 + _entropy.Next(0, 6);
        }
        var block = new SimulatedBlock(slot, blockTime, transactions) { EmittedAt = DateTimeOffset.UtcNow };
        ulong parent = _ledger.Tip;
        // Ledger first: a client that hears of a transaction can fetch it and its block time at once.
        _ledger.Append(block, ledgerTransactions);
        _hub.PublishBlock(block, parent, ledgerTransactions);
        return block;
    }

    private long BlockTimeOf(ulong slot)
    {
        long time = _options.Clock == SimulatorClock.Virtual
            ? _options.GenesisUnixTime + (long)((slot - _options.GenesisSlot) * (ulong)_options.SlotMilliseconds / 1000)
            : DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        // Block times never go backwards, even if the wall clock does.
        _lastBlockTime = Math.Max(_lastBlockTime, time);
        return _lastBlockTime;
    }

    private static InvalidOperationException NotStarted() => new("Call StartAsync first: the ports are bound when the simulator starts.");
}
