namespace SpinPet.Solana.Rpc;

/// <summary>
/// Lets one log line through per interval and counts the ones held back, so a storm of the same failure (a node
/// rate-limiting every call, a proxy answering garbage) shows at Warning without flooding the log: the next line
/// that passes carries how many were held back.
/// </summary>
internal sealed class LogThrottle(TimeSpan interval)
{
    private long _nextAllowedMs;
    private long _heldBack;

    /// <summary>True when this line may be logged; <paramref name="heldBack"/> is then the count since the last one.</summary>
    public bool TryEnter(out long heldBack)
    {
        long now = Environment.TickCount64;
        long next = Volatile.Read(ref _nextAllowedMs);
        if (now >= next && Interlocked.CompareExchange(ref _nextAllowedMs, now + (long)interval.TotalMilliseconds, next) == next)
        {
            heldBack = Interlocked.Exchange(ref _heldBack, 0);
            return true;
        }
        Interlocked.Increment(ref _heldBack);
        heldBack = 0;
        return false;
    }
}
