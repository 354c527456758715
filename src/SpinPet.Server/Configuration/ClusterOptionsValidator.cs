using Microsoft.Extensions.Options;

namespace SpinPet.Server.Configuration;

internal sealed class ClusterOptionsValidator : IValidateOptions<ClusterOptions>
{
    public ValidateOptionsResult Validate(string? name, ClusterOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new OptionsFailures(ClusterOptions.Section);
        if (options.Mode == ClusterMode.Single && options.Role != ClusterRole.All)
        {
            failures.Add("role", $"'{options.Role.ToString().ToLowerInvariant()}' needs cluster.mode = nats; a single node is all roles");
        }
        // NATS clients take a comma-separated list of seed servers.
        foreach (var url in options.NatsUrl.Split(',', StringSplitOptions.TrimEntries))
        {
            if (!Uri.TryCreate(url, UriKind.Absolute, out var nats) || nats.Scheme is not ("nats" or "tls" or "ws" or "wss"))
            {
                failures.Add("nats_url", $"'{url}' is not a nats://, tls://, ws:// or wss:// URL");
            }
        }
        if (!IsName(options.Stream))
        {
            // JetStream stream names: no whitespace, '.', '*', '>' or path separators (they become subjects and files).
            failures.Add("stream", $"'{options.Stream}' is not a stream name (letters, digits, '-' and '_')");
        }
        if (options.NodeId is not null && !IsName(options.NodeId))
        {
            failures.Add("node_id", $"'{options.NodeId}' is not a node name (letters, digits, '-' and '_')");
        }
        failures.Range("lease_ttl_ms", options.LeaseTtlMs, 1_000, 600_000);
        failures.AtLeast("max_ready_lag", options.MaxReadyLag, 0);
        return failures.Result();
    }

    private static bool IsName(string text) =>
        text.Length is > 0 and <= 64 && text.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_');
}
