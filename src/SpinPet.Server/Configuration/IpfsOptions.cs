using Microsoft.Extensions.Configuration;

namespace SpinPet.Server.Configuration;

/// <summary><c>[ipfs]</c>: token metadata enrichment.</summary>
internal sealed record IpfsOptions
{
    public const string Section = "ipfs";

    /// <summary>Gateway base URL; null or blank turns enrichment off.</summary>
    [ConfigurationKeyName("gateway_url")]
    public string? GatewayUrl { get; init; }

    public bool Enabled => !string.IsNullOrWhiteSpace(GatewayUrl);
}
