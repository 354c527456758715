using System.Security.Cryptography.X509Certificates;

namespace SpinPet.Indexer.Metadata;

/// <summary>
/// What a test adds to the client that fetches a token's own https uri, so that it can serve a "remote" origin on this
/// machine: loopback addresses allowed, and its self-signed certificate trusted. Not configuration: the server
/// registers <see cref="None"/> and nothing sets another; every other address is still judged by
/// <see cref="PublicAddressConnector.IsPublic"/>.
/// </summary>
internal sealed record DirectFetchTestAllowance(bool LoopbackAllowed, X509Certificate2? TrustedCertificate)
{
    public static DirectFetchTestAllowance None { get; } = new(false, null);
}
