using System.Net;
using System.Net.Sockets;

namespace AwsRunner.Bench.Infrastructure;

/// <summary>
/// A TCP port on 127.0.0.1 that passes every connection on to another port on 127.0.0.1 and counts them: in front of the
/// fleet's SOCKS5 endpoint, each connection is one SSH connection of awsrunner's in-process transport, failed ones too,
/// as the counting ProxyCommand counts OpenSSH's.
/// </summary>
internal sealed class CountingRelay : IDisposable
{
    private readonly TcpListener listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource stop = new();
    private readonly int target;
    private long connections;

    public CountingRelay(int target)
    {
        this.target = target;
        listener.Start();
        _ = AcceptAsync();
    }

    public int Port => ((IPEndPoint)listener.LocalEndpoint).Port;

    public long Connections => Interlocked.Read(ref connections);

    public void Reset() => Interlocked.Exchange(ref connections, 0);

    public void Dispose()
    {
        stop.Cancel();
        listener.Stop();
        stop.Dispose();
    }

    private async Task AcceptAsync()
    {
        try
        {
            while (true)
            {
                var client = await listener.AcceptTcpClientAsync(stop.Token);
                Interlocked.Increment(ref connections);
                _ = RelayAsync(client, stop.Token);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            // Stopped with the measurement.
        }
    }

    private async Task RelayAsync(TcpClient client, CancellationToken cancellationToken)
    {
        using (client)
        {
            try
            {
                using var onward = new TcpClient();
                await onward.ConnectAsync(IPAddress.Loopback, target, cancellationToken);
                var here = client.GetStream();
                var there = onward.GetStream();
                await Task.WhenAny(here.CopyToAsync(there, cancellationToken), there.CopyToAsync(here, cancellationToken));
            }
            catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
            {
                // Either side went away: so does the relay.
            }
        }
    }
}
