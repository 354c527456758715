namespace SpinPet.Streaming.Sessions;

/// <summary>
/// Inbound rate limit per connection (protocol.md: burst 200, then 50 messages/s). Not thread-safe: only the
/// connection's reader uses it.
/// </summary>
public sealed class TokenBucket(int burst, int perSecond, TimeProvider time)
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
            return false;
        }
        _tokens -= 1;
        return true;
    }
}
