namespace SpinPet.Solana.PubSub;

/// <summary>
/// An item on the live queue: a <c>logsNotification</c> of the program, or a wake-up telling the applier to
/// look at the resync flag (a new subscription, or an overflow).
/// </summary>
public sealed record LiveNotification(ulong Slot, string Signature, bool Failed, IReadOnlyList<string> Logs)
{
    public static LiveNotification Wake { get; } = new(0, "", false, []);

    public bool IsWake => ReferenceEquals(this, Wake);

    /// <summary>The size of the frame it came in, counted against the live queue's byte bound.</summary>
    public int FrameBytes { get; init; }

    /// <summary>When the reader took it off the socket (<see cref="System.Diagnostics.Stopwatch"/> ticks): the start of the ingest's share of trade → client.</summary>
    public long ReceivedAt { get; init; }
}

public enum PubSubState
{
    Disabled,
    Connecting,
    Subscribed,
    Disconnected,
}
