using Microsoft.Extensions.Options;
using SpinPet.Indexer.Metadata;

namespace SpinPet.Server.Configuration;

internal sealed class IpfsOptionsValidator : IValidateOptions<IpfsOptions>
{
    public ValidateOptionsResult Validate(string? name, IpfsOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new OptionsFailures(IpfsOptions.Section);
        if (options.Enabled
            && !(Uri.TryCreate(options.GatewayUrl, UriKind.Absolute, out var uri)
                && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps)
                && string.IsNullOrEmpty(uri.Query) && string.IsNullOrEmpty(uri.Fragment)))
        {
            failures.Add("gateway_url", $"'{options.GatewayUrl}' is not an absolute http(s) URL without query or fragment");
        }
        // 100 ms .. 5 min: below, a gateway cannot answer; above, a stuck request holds a slot for no use.
        failures.Range("timeout_ms", options.TimeoutMs, 100, 300_000);
        failures.Range("max_concurrency", options.MaxConcurrency, 1, 64);
        failures.Range("queue_capacity", options.QueueCapacity, 1, 1_000_000);
        failures.Range("max_response_bytes", options.MaxResponseBytes, 1024, 16 * 1024 * 1024);
        return failures.Result();
    }
}
