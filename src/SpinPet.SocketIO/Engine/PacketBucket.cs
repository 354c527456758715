namespace SpinPet.SocketIO.Engine;

/// <summary>
/// Inbound rate limit of one session, the /ws token bucket (burst, then a steady rate per second): every Engine.IO
/// packet a client sends takes a token. Not thread-safe: only the session's dispatch (one at a time) uses it.
/// </summary>
internal sealed class PacketBucket(int burst, int perSecond, TimeProvider time)
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
