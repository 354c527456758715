using SpinPet.Core.Figures;

namespace SpinPet.Solana.PubSub;

/// <summary>What the PubSub connection saw, counted for /metrics and the status route (exported by the host's meter).</summary>
public sealed class PubSubCounters
{
    public Figure Connects { get; } = new();

    /// <summary>Connections lost or refused, each followed by a reconnect.</summary>
    public Figure Disconnects { get; } = new();

    public Figure Notifications { get; } = new();

    /// <summary>Frames that were not JSON, had wrong types, or named an unknown method or subscription.</summary>
    public Figure Garbage { get; } = new();

    public Figure Oversize { get; } = new();

    /// <summary>Notifications dropped because the live queue was full (recovered by a resync).</summary>
    public Figure Dropped { get; } = new();

    /// <summary>Connections ended because the node refused logsSubscribe (error or no subscription id).</summary>
    public Figure SubscribeRefused { get; } = new();

    /// <summary>Connections ended by an exception that is not a network failure (a bug or an unforeseen answer).</summary>
    public Figure ReaderFailures { get; } = new();
}
