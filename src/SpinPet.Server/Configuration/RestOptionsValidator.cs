using Microsoft.Extensions.Options;

namespace SpinPet.Server.Configuration;

internal sealed class RestOptionsValidator : IValidateOptions<RestOptions>
{
    // A million per second per address is no limit at all (a core serves ~100 k small requests/s); above, the
    // setting is a mistake.
    private const int MaxRate = 1_000_000;

    public ValidateOptionsResult Validate(string? name, RestOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new OptionsFailures(RestOptions.Section);
        failures.Range("max_requests_per_second", options.MaxRequestsPerSecond, 1, MaxRate);
        failures.Range("burst", options.Burst, 1, MaxRate);
        return failures.Result();
    }
}
