using System.Net;
using System.Net.Sockets;

namespace SpinPet.Server.Configuration;

/// <summary>One entry of <c>server.known_proxies</c>: an IP address or a network in CIDR notation.</summary>
internal static class KnownProxy
{
    /// <summary>
    /// An address is its own /32 (/128) network. Strict on purpose: <see cref="IPAddress.TryParse(string?, out IPAddress?)"/>
    /// also takes "10.1" (10.0.0.1) or "1" (0.0.0.1), which no operator means, and a network with host bits set
    /// (10.0.0.1/8) is refused rather than guessed.
    /// </summary>
    public static bool TryParse(string? text, out IPNetwork network)
    {
        network = default;
        text = text?.Trim();
        if (string.IsNullOrEmpty(text))
        {
            return false;
        }
        int slash = text.IndexOf('/', StringComparison.Ordinal);
        var addressText = slash < 0 ? text : text[..slash];
        if (!IsWholeAddress(addressText) || !IPAddress.TryParse(addressText, out var address))
        {
            return false;
        }
        if (slash < 0)
        {
            network = new IPNetwork(address, address.AddressFamily == AddressFamily.InterNetwork ? 32 : 128);
            return true;
        }
        // TryParse clears the host bits (10.0.0.1/8 → 10.0.0.0/8): refuse instead of trusting a network nobody wrote.
        return IPNetwork.TryParse(text, out network) && network.BaseAddress.Equals(address);
    }

    // Four dotted decimals, or IPv6 (which always holds a colon).
    private static bool IsWholeAddress(string text) =>
        text.Contains(':', StringComparison.Ordinal) || text.Count(c => c == '.') == 3;
}
