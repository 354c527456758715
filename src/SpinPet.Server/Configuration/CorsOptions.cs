using Microsoft.Extensions.Configuration;

namespace SpinPet.Server.Configuration;

/// <summary><c>[cors]</c>: CORS of the REST routes.</summary>
internal sealed record CorsOptions
{
    public const string Section = "cors";

    [ConfigurationKeyName("enabled")]
    public bool Enabled { get; init; } = true;

    /// <summary>Allowed origins; <c>*</c> allows any.</summary>
    [ConfigurationKeyName("allow_origins")]
    public string[] AllowOrigins { get; init; } = ["*"];
}
