using System.Net;
using System.Net.Sockets;

namespace AwsRunner.Sim;

/// <summary>Ports on 127.0.0.1, the only address the fleet listens on or connects to.</summary>
internal static class LoopbackPort
{
    /// <summary>A port free right now (the system's choice); whoever binds it next gets it.</summary>
    public static int Free()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
