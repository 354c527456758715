namespace SpinPet.Solana.Rpc;

/// <summary>
/// Lets <c>linesPerInterval</c> log lines through per interval and counts the ones held back, so a storm of the same
/// failure (a node rate-limiting every call, a proxy answering garbage, a chain whose every transaction is worth a
/// warning) shows at Warning without flooding the log: the next line that passes carries how many were held back.
/// Thread-safe: callers are the RPC calls in flight, the PubSub reader, the ingest loop; a line that passes is rare
/// next to one held back, and holding one back is a short uncontended lock.
/// </summary>
internal sealed class LogThrottle(TimeSpan interval, TimeProvider? time = null, int linesPerInterval = 1)
{
    private readonly TimeProvider _time = time ?? TimeProvider.System;
    private readonly long _intervalTicks = (long)(interval.TotalSeconds * (time ?? TimeProvider.System).TimestampFrequency);
    private readonly Lock _lock = new();
    private long _intervalEnds = long.MinValue;
    private int _passed;
    private long _heldBack;

    /// <summary>True when this line may be logged; <paramref name="heldBack"/> is then the count since the last one.</summary>
    public bool TryEnter(out long heldBack)
    {
        long now = _time.GetTimestamp();
        lock (_lock)
        {
            if (now >= _intervalEnds)
            {
                _intervalEnds = now + _intervalTicks;
                _passed = 0;
            }
            if (_passed < linesPerInterval)
            {
                _passed++;
                heldBack = _heldBack;
                _heldBack = 0;
                return true;
            }
            _heldBack++;
            heldBack = 0;
            return false;
        }
    }
}
