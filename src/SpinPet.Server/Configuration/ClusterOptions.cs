using Microsoft.Extensions.Configuration;

namespace SpinPet.Server.Configuration;

/// <summary>
/// <c>[cluster]</c> (shared/spec/cluster.md): one process (<c>single</c>, the default) or a node of a NATS JetStream
/// cluster (<c>nats</c>, src/SpinPet.Server/Cluster).
/// </summary>
internal sealed record ClusterOptions
{
    public const string Section = "cluster";

    [ConfigurationKeyName("mode")]
    public ClusterMode Mode { get; init; } = ClusterMode.Single;

    [ConfigurationKeyName("role")]
    public ClusterRole Role { get; init; } = ClusterRole.All;

    [ConfigurationKeyName("nats_url")]
    public string NatsUrl { get; init; } = "nats://127.0.0.1:4222";

    /// <summary>JetStream stream name; the subjects derive from it.</summary>
    [ConfigurationKeyName("stream")]
    public string Stream { get; init; } = "SPINPET";

    /// <summary>This node's name in the lease, logs and metrics; unset = the host name.</summary>
    [ConfigurationKeyName("node_id")]
    public string? NodeId { get; init; }

    [ConfigurationKeyName("lease_ttl_ms")]
    public int LeaseTtlMs { get; init; } = 10_000;

    /// <summary>A gateway is ready within this many stream messages of the stream's end.</summary>
    [ConfigurationKeyName("max_ready_lag")]
    public int MaxReadyLag { get; init; } = 100;

    /// <summary>The host name as a node name: characters outside letters, digits, '-' and '_' become '-', at most 64.</summary>
    public static string HostNodeId()
    {
        var name = new string([.. Environment.MachineName.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' ? c : '-')]);
        return name.Length == 0 ? "node" : name[..Math.Min(name.Length, 64)];
    }
}
