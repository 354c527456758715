using System.Globalization;
using System.Net;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;
using SpinPet.Server.Api;
using SpinPet.Server.Configuration;

namespace SpinPet.Server.Hosting;

/// <summary>
/// <c>[rest]</c>: ASP.NET Core's rate limiter with one token bucket per client address (<see cref="ClientPartition"/>)
/// in front of every HTTP request, <c>/ws</c> upgrades and the chart page included; <c>/health</c> and <c>/metrics</c>
/// opt out (<c>DisableRateLimiting</c>) so a busy address (or a proxy that all clients share) cannot make a probe fail.
/// Past an empty bucket: 429 with <c>Retry-After</c> and the REST envelope, answered at once (no queue holds requests).
/// Buckets live in the limiter's partition table; one whose bucket is full again and that stays unused for 10 s is
/// removed by the limiter's own 100 ms sweep (System.Threading.RateLimiting), so memory follows the addresses seen in
/// the last seconds (~350 bytes each), not every address ever seen. docs/security.md, "Hostile REST clients and proxies".
/// </summary>
internal static partial class RestRateLimiting
{
    public static IServiceCollection AddSpinPetRateLimiting(this IServiceCollection services)
    {
        services.AddSingleton<ClientRateLimit>();
        services.AddRateLimiter(_ => { });
        services.AddOptions<RateLimiterOptions>().Configure<ClientRateLimit, IOptions<RestOptions>, ILoggerFactory>((limiter, buckets, rest, loggers) =>
        {
            var settings = rest.Value;
            // The buckets are the ClientRateLimit's, which /ws upgrades taken before the HTTP stack draw on too.
            limiter.GlobalLimiter = buckets.PerRequest;
            limiter.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            var logger = loggers.CreateLogger(typeof(RestRateLimiting).FullName!);
            limiter.OnRejected = (context, cancellationToken) => RejectAsync(context, settings, logger, cancellationToken);
        });
        return services;
    }

    private static async ValueTask RejectAsync(OnRejectedContext context, RestOptions settings, ILogger logger, CancellationToken cancellationToken)
    {
        var http = context.HttpContext;
        // The bucket says when the next token comes (1 s with any rate ≥ 1/s); whole seconds, at least 1 (RFC 9110).
        var wait = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter) ? retryAfter : TimeSpan.FromSeconds(1);
        int seconds = Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds));
        http.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        LogRejected(logger, http.Connection.RemoteIpAddress, http.Request.Method, http.Request.Path);
        var message = string.Create(CultureInfo.InvariantCulture,
            $"Too many requests from your address: at most {settings.MaxRequestsPerSecond} per second (bursts of {settings.Burst}); retry after {seconds} s");
        await http.Response.WriteAsJsonAsync(new ApiResponse<object>(false, null, message), ApiJsonContext.Default.ApiResponseObject, cancellationToken: cancellationToken);
    }

    // Debug: a client past its limit can send thousands of requests a second; the count is a metric
    // (aspnetcore.rate_limiting.requests with result global_limiter, on /metrics).
    [LoggerMessage(Level = LogLevel.Debug, Message = "Rate limit: 429 to {Address} for {Method} {Path}")]
    private static partial void LogRejected(ILogger logger, IPAddress? address, string method, PathString path);
}
