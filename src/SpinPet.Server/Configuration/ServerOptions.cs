using Microsoft.Extensions.Configuration;

namespace SpinPet.Server.Configuration;

/// <summary><c>[server]</c>: where HTTP, REST and <c>/ws</c> listen, and which reverse proxies are trusted.</summary>
internal sealed record ServerOptions
{
    public const string Section = "server";

    [ConfigurationKeyName("host")]
    public string Host { get; init; } = "0.0.0.0";

    [ConfigurationKeyName("port")]
    public int Port { get; init; } = 8080;

    /// <summary>
    /// Take the client address from <c>X-Forwarded-For</c> (and the scheme from <c>X-Forwarded-Proto</c>) when the
    /// request comes from one of <see cref="KnownProxies"/>, so per-IP limits and logs see the client, not the proxy.
    /// </summary>
    [ConfigurationKeyName("forwarded_headers")]
    public bool ForwardedHeaders { get; init; }

    /// <summary>Proxy addresses (<c>10.0.0.2</c>) or networks (<c>10.0.0.0/24</c>) whose forwarded headers are trusted.</summary>
    [ConfigurationKeyName("known_proxies")]
    public string[] KnownProxies { get; init; } = [];

    /// <summary>
    /// Seconds without a single garbage collection after which memory the collector holds beyond its live objects is
    /// given back to the OS (<see cref="Hosting.IdleMemoryTrimmer"/>, decision record 0012); 0 = never.
    /// </summary>
    [ConfigurationKeyName("idle_memory_trim_s")]
    public int IdleMemoryTrimSeconds { get; init; } = 30;
}
