using System.Globalization;
using Microsoft.Extensions.Options;

namespace SpinPet.Server.Configuration;

internal sealed class ServerOptionsValidator : IValidateOptions<ServerOptions>
{
    public ValidateOptionsResult Validate(string? name, ServerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new OptionsFailures(ServerOptions.Section);
        if (string.IsNullOrWhiteSpace(options.Host))
        {
            failures.Add("host", "must not be empty (0.0.0.0 listens on every interface)");
        }
        // 0 asks the OS for a free port (tests, side-by-side instances); the chosen one is logged at start.
        failures.Range("port", options.Port, 0, 65_535);
        // Shorter periods would pause a process that merely allocates slowly; 0 turns the trim off.
        if (options.IdleMemoryTrimSeconds is not (0 or (>= 5 and <= 86_400)))
        {
            failures.Add("idle_memory_trim_s", string.Create(CultureInfo.InvariantCulture,
                $"{options.IdleMemoryTrimSeconds} must be 0 (never) or 5..86400 seconds"));
        }
        foreach (var proxy in options.KnownProxies)
        {
            if (!KnownProxy.TryParse(proxy, out _))
            {
                failures.Add("known_proxies", $"'{proxy}' is not an IP address or CIDR network (e.g. 10.0.0.2, 10.0.0.0/24 or fd00::/8)");
            }
        }
        if (options.ForwardedHeaders && options.KnownProxies.Length == 0)
        {
            // Trusting no proxy would ignore every X-Forwarded-For: the setting would silently do nothing.
            failures.Add("forwarded_headers", "is true but server.known_proxies is empty; list the proxy addresses whose X-Forwarded-For to trust");
        }
        return failures.Result();
    }
}
