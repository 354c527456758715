using SpinPet.Core.Chain;

namespace SpinPet.ChainSimulator;

/// <summary>How the simulated chain looks and where it listens. Every property has a working default.</summary>
public sealed class SimulatorOptions
{
    public string ProgramId { get; init; } = "JBMmrp6jhksqnxDBskkmVvWHhJLaPBjgiMHEroJbUTBZ";

    /// <summary>Seeds every random choice of the chain: the same seed gives the same ledger.</summary>
    public int Seed { get; init; } = 1;

    public int MintCount { get; init; } = 5;

    public string Host { get; init; } = "127.0.0.1";

    /// <summary>HTTP JSON-RPC port; 0 picks a free one.</summary>
    public int RpcPort { get; init; }

    /// <summary>PubSub WebSocket port; 0 picks a free one.</summary>
    public int WsPort { get; init; }

    public SimulatorClock Clock { get; init; } = SimulatorClock.Virtual;

    /// <summary>Block time of <see cref="GenesisSlot"/> under the virtual clock (2025-11-25T09:20:00Z).</summary>
    public long GenesisUnixTime { get; init; } = 1764062400;

    /// <summary>The first slot the simulator produces; older slots answer like a node that pruned them.</summary>
    public ulong GenesisSlot { get; init; } = 300_000_000;

    public int SlotMilliseconds { get; init; } = 400;

    /// <summary>Share of program transactions that fail (their events must be ignored).</summary>
    public double FailedTransactionRate { get; init; } = 0.03;

    /// <summary>
    /// Share of the program's events written with something wrong, for the decoder's reject path: an extra malformed
    /// <c>Program data:</c> line before the event (a short body, a bool that is not 0/1, bad UTF-8 in a
    /// TokenCreatedEvent name, an unknown discriminator), or the event itself with bytes after its body. The real
    /// event is always written, so the market an indexer sees stays whole. 0 (the default) draws nothing, so a seed
    /// gives the same chain as without the option.
    /// </summary>
    public double MalformedDataRate { get; init; }

    /// <summary>Share of slots without a block; mainnet skips a few percent of its leader slots.</summary>
    public double SkippedSlotRate { get; init; } = 0.04;

    /// <summary>Mean number of program transactions per block for <see cref="ChainSimulator.ProduceBlock"/>.</summary>
    public double TransactionsPerBlock { get; init; } = 2.0;

    /// <summary><c>latest_price</c> = SOL per whole token × 10^exponent (28 today, 26 in later program versions).</summary>
    public int PriceScaleExponent { get; init; } = 28;

    /// <summary>
    /// Frames waiting for one PubSub subscriber; a subscriber that falls this far behind is disconnected,
    /// as a node does, instead of the simulator buffering without bound.
    /// </summary>
    public int SubscriberQueueCapacity { get; init; } = 4096;

    internal void Validate()
    {
        if (!PublicKey.TryParse(ProgramId, out _))
        {
            throw new ArgumentException($"ProgramId '{ProgramId}' is not a Solana address.", nameof(ProgramId));
        }
        ArgumentOutOfRangeException.ThrowIfLessThan(MintCount, 1, nameof(MintCount));
        ArgumentOutOfRangeException.ThrowIfNegative(RpcPort, nameof(RpcPort));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(RpcPort, 65535, nameof(RpcPort));
        ArgumentOutOfRangeException.ThrowIfNegative(WsPort, nameof(WsPort));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(WsPort, 65535, nameof(WsPort));
        ArgumentOutOfRangeException.ThrowIfLessThan(SlotMilliseconds, 1, nameof(SlotMilliseconds));
        ArgumentOutOfRangeException.ThrowIfLessThan(GenesisSlot, 1UL, nameof(GenesisSlot));
        ThrowIfNotRate(FailedTransactionRate, nameof(FailedTransactionRate));
        ThrowIfNotRate(MalformedDataRate, nameof(MalformedDataRate));
        // A chain that skips every slot never produces a block.
        ThrowIfNotRate(SkippedSlotRate, nameof(SkippedSlotRate));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(SkippedSlotRate, 0.5, nameof(SkippedSlotRate));
        ArgumentOutOfRangeException.ThrowIfNegative(TransactionsPerBlock, nameof(TransactionsPerBlock));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(TransactionsPerBlock, 1000, nameof(TransactionsPerBlock));
        // Below 10^3 a lamport-per-base-unit price rounds to zero; above 10^38 it leaves u128.
        ArgumentOutOfRangeException.ThrowIfLessThan(PriceScaleExponent, 3, nameof(PriceScaleExponent));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(PriceScaleExponent, 38, nameof(PriceScaleExponent));
        ArgumentOutOfRangeException.ThrowIfLessThan(SubscriberQueueCapacity, 16, nameof(SubscriberQueueCapacity));
        ArgumentException.ThrowIfNullOrWhiteSpace(Host, nameof(Host));
    }

    private static void ThrowIfNotRate(double value, string name)
    {
        if (double.IsNaN(value) || value < 0 || value > 1)
        {
            throw new ArgumentOutOfRangeException(name, value, "A rate is between 0 and 1.");
        }
    }
}
