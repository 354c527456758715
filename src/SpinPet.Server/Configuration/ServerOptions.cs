using Microsoft.Extensions.Configuration;

namespace SpinPet.Server.Configuration;

/// <summary><c>[server]</c>: where HTTP, REST and <c>/ws</c> listen.</summary>
internal sealed record ServerOptions
{
    public const string Section = "server";

    [ConfigurationKeyName("host")]
    public string Host { get; init; } = "0.0.0.0";

    [ConfigurationKeyName("port")]
    public int Port { get; init; } = 8080;
}
