using System.Net;
using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;
using SpinPet.Server.Configuration;

namespace SpinPet.Server.Hosting;

/// <summary>
/// <c>[rest]</c>'s token buckets, one per client address (<see cref="ClientPartition"/>): what ASP.NET Core's rate limiter
/// takes a token from for every HTTP request (<see cref="RestRateLimiting"/>), and what a <c>/ws</c> upgrade taken at the
/// connection level (<c>EarlySocketAccept</c>) takes its token from, so both kinds of request share one allowance.
/// </summary>
internal sealed class ClientRateLimit : IDisposable
{
    private readonly PartitionedRateLimiter<IPAddress> _buckets;

    public ClientRateLimit(IOptions<RestOptions> rest)
    {
        var settings = rest.Value;
        // One options object for every bucket: the limiter copies it per partition (to give the partitions one
        // shared replenishing timer instead of one each), only when a partition is created.
        var bucket = new TokenBucketRateLimiterOptions
        {
            TokenLimit = settings.Burst,
            TokensPerPeriod = settings.MaxRequestsPerSecond,
            // Tokens are added in proportion to the time elapsed, every 100 ms: 50/s refills 5 per sweep.
            ReplenishmentPeriod = TimeSpan.FromSeconds(1),
            AutoReplenishment = true,
            QueueLimit = 0,
        };
        _buckets = PartitionedRateLimiter.Create<IPAddress, IPAddress>(address =>
            RateLimitPartition.GetTokenBucketLimiter(address, _ => bucket));
        PerRequest = _buckets.WithTranslatedKey<HttpContext>(context => ClientPartition.Of(context.Connection.RemoteIpAddress), leaveOpen: true);
    }

    /// <summary>The buckets keyed by request, for the rate-limiting middleware.</summary>
    public PartitionedRateLimiter<HttpContext> PerRequest { get; }

    /// <summary>Takes one token of <paramref name="remote"/>'s bucket; false when it is empty.</summary>
    public bool TryTake(IPAddress? remote)
    {
        using var lease = _buckets.AttemptAcquire(ClientPartition.Of(remote));
        return lease.IsAcquired;
    }

    public void Dispose()
    {
        PerRequest.Dispose();
        _buckets.Dispose();
    }
}
