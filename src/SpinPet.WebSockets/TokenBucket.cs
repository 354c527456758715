namespace SpinPet.WebSockets;

/// <summary>
/// One connection's share of a <see cref="FrameRateLimit"/>: every frame the client sends but a close takes a token
/// (<see cref="WebSocketConnection.FrameLimit"/>). Not thread-safe: only the connection's reader uses it.
/// </summary>
public sealed class TokenBucket
{
    private readonly FrameRateLimit _limit;
    private double _tokens;
    private long _last;

    internal TokenBucket(FrameRateLimit limit)
    {
        _limit = limit;
        _tokens = limit.Burst;
        _last = limit.Time.GetTimestamp();
    }

    /// <summary>Takes a token; false (counted on the limit) when the bucket is empty.</summary>
    public bool TryTake()
    {
        long now = _limit.Time.GetTimestamp();
        double elapsed = (now - _last) / (double)_limit.Time.TimestampFrequency;
        _last = now;
        _tokens = Math.Min(_limit.Burst, _tokens + (elapsed * _limit.PerSecond));
        if (_tokens < 1)
        {
            _limit.Refused();
            return false;
        }
        _tokens -= 1;
        return true;
    }
}
