namespace SpinPet.LoadGen;

/// <summary>A counter shared by every connection.</summary>
internal sealed class Counter
{
    private long _value;

    public long Value => Volatile.Read(ref _value);

    public void Increment() => Interlocked.Increment(ref _value);

    public void Add(long n) => Interlocked.Add(ref _value, n);
}

/// <summary>Process-wide counters of the load generator.</summary>
internal static class Stats
{
    public static Counter ProtocolErrors { get; } = new();
    public static Counter ServerCloses { get; } = new();
    public static Counter ConnectFailures { get; } = new();
    public static Counter ErrorMessages { get; } = new();
    public static Counter Confirmations { get; } = new();
    public static Counter KlineFrames { get; } = new();
    public static Counter KlineFramesInWindow { get; } = new();
    public static Counter FinalFramesInWindow { get; } = new();
    public static Counter UnmatchedStates { get; } = new();
}
