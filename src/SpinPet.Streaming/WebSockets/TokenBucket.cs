namespace SpinPet.Streaming.WebSockets;

/// <summary>
/// Inbound rate limit per connection (protocol.md: burst 200, then 50 a second): every frame a client sends but a
/// close takes a token (<see cref="WebSocketConnection.FrameLimit"/>). Refusals are counted in
/// <see cref="StreamingCounters.RateLimitedMessages"/>. Not thread-safe: only the connection's reader uses it.
/// </summary>
public sealed class TokenBucket(int burst, int perSecond, TimeProvider time, StreamingCounters? counters = null)
{
    private double _tokens = burst;
    private long _last = time.GetTimestamp();

    public bool TryTake()
    {
        long now = time.GetTimestamp();
        double elapsed = (now - _last) / (double)time.TimestampFrequency;
        _last = now;
        _tokens = Math.Min(burst, _tokens + (elapsed * perSecond));
        if (_tokens < 1)
        {
            counters?.RateLimited();
            return false;
        }
        _tokens -= 1;
        return true;
    }
}
