using System.Net;
using System.Net.Sockets;

namespace SpinPet.TestSupport;

/// <summary>Loopback ports for processes a test starts itself on a port it must know before they announce one.</summary>
public static class LoopbackPorts
{
    /// <summary>A port the kernel just handed out and released: free now, almost surely still free a moment later.</summary>
    public static int Free()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
