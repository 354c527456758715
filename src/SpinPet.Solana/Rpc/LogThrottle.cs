namespace SpinPet.Solana.Rpc;

/// <summary>
/// Lets one log line through per interval and counts the ones held back, so a storm of the same failure (a node
/// rate-limiting every call, a proxy answering garbage) shows at Warning without flooding the log: the next line
/// that passes carries how many were held back. Lock-free: callers are the RPC calls in flight and the PubSub reader.
/// </summary>
internal sealed class LogThrottle(TimeSpan interval, TimeProvider? time = null)
{
    private readonly TimeProvider _time = time ?? TimeProvider.System;
    private readonly long _intervalTicks = (long)(interval.TotalSeconds * (time ?? TimeProvider.System).TimestampFrequency);
    private long _nextAllowed = long.MinValue;
    private long _heldBack;

    /// <summary>True when this line may be logged; <paramref name="heldBack"/> is then the count since the last one.</summary>
    public bool TryEnter(out long heldBack)
    {
        long now = _time.GetTimestamp();
        long next = Volatile.Read(ref _nextAllowed);
        if (now >= next && Interlocked.CompareExchange(ref _nextAllowed, now + _intervalTicks, next) == next)
        {
            heldBack = Interlocked.Exchange(ref _heldBack, 0);
            return true;
        }
        Interlocked.Increment(ref _heldBack);
        heldBack = 0;
        return false;
    }
}
