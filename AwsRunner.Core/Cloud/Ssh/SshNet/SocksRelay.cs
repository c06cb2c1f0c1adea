using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace AwsRunner.Core.Cloud.Ssh.SshNet;

/// <summary>
/// A port on 127.0.0.1 that leads to one node through the SOCKS5 proxy, for the system's <c>ssh</c>, which has no
/// SOCKS client of its own: every connection to it becomes a SOCKS5 CONNECT to the node's address. It lives as long
/// as the terminal session it serves.
/// </summary>
internal sealed class SocksRelay : IAsyncDisposable
{
    private readonly TcpListener listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource stop = new();
    private readonly Uri proxy;
    private readonly string address;
    private readonly int port;
    private readonly Task accepting;

    private SocksRelay(Uri proxy, string address, int port)
    {
        this.proxy = proxy;
        this.address = address;
        this.port = port;
        listener.Start();
        accepting = AcceptAsync(stop.Token);
    }

    /// <summary>The port on 127.0.0.1 to connect to.</summary>
    public int Port => ((IPEndPoint)listener.LocalEndpoint).Port;

    public static SocksRelay Start(Uri proxy, string address, int port) => new(proxy, address, port);

    /// <summary>Opens a connection to <paramref name="address"/>:<paramref name="port"/> through a SOCKS5 proxy that asks no credentials.</summary>
    public static async Task<TcpClient> ConnectAsync(Uri proxy, string address, int port, CancellationToken cancellationToken)
    {
        var client = new TcpClient();
        try
        {
            await client.ConnectAsync(proxy.Host, proxy.Port, cancellationToken).ConfigureAwait(false);
            var stream = client.GetStream();
            await stream.WriteAsync(new byte[] { 5, 1, 0 }, cancellationToken).ConfigureAwait(false);
            var chosen = new byte[2];
            await stream.ReadExactlyAsync(chosen, cancellationToken).ConfigureAwait(false);
            if (chosen[0] != 5 || chosen[1] != 0)
            {
                throw new IOException($"the SOCKS5 proxy {proxy.Authority} wants a login awsrunner cannot give");
            }

            await stream.WriteAsync(Request(address, port), cancellationToken).ConfigureAwait(false);
            var reply = new byte[4];
            await stream.ReadExactlyAsync(reply, cancellationToken).ConfigureAwait(false);
            if (reply[1] != 0)
            {
                throw new IOException($"the SOCKS5 proxy {proxy.Authority} did not connect to {address}:{port} (reply {reply[1]})");
            }

            var bound = reply[3] switch
            {
                1 => 4,
                4 => 16,
                _ => stream.ReadByte(),
            };
            await stream.ReadExactlyAsync(new byte[bound + 2], cancellationToken).ConfigureAwait(false);
            return client;
        }
        catch
        {
            client.Dispose();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await stop.CancelAsync().ConfigureAwait(false);
        listener.Stop();
        try
        {
            await accepting.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Stopped, as asked.
        }

        stop.Dispose();
    }

    private static byte[] Request(string address, int port)
    {
        byte[] target = IPAddress.TryParse(address, out var ip)
            ? [ip.AddressFamily == AddressFamily.InterNetworkV6 ? (byte)4 : (byte)1, .. ip.GetAddressBytes()]
            : [3, (byte)Encoding.ASCII.GetByteCount(address), .. Encoding.ASCII.GetBytes(address)];
        var portBytes = new byte[2];
        BinaryPrimitives.WriteUInt16BigEndian(portBytes, (ushort)port);
        return [5, 1, 0, .. target, .. portBytes];
    }

    private async Task AcceptAsync(CancellationToken cancellationToken)
    {
        var relays = new List<Task>();
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                var local = await listener.AcceptTcpClientAsync(cancellationToken).ConfigureAwait(false);
                relays.Add(RelayAsync(local, cancellationToken));
            }
        }
        finally
        {
            await Task.WhenAll(relays).ConfigureAwait(false);
        }
    }

    private async Task RelayAsync(TcpClient local, CancellationToken cancellationToken)
    {
        using (local)
        {
            try
            {
                using var remote = await ConnectAsync(proxy, address, port, cancellationToken).ConfigureAwait(false);
                var there = remote.GetStream();
                var here = local.GetStream();
                // Whichever side ends first ends the relay: ssh has hung up, or the node has.
                await Task.WhenAny(here.CopyToAsync(there, cancellationToken), there.CopyToAsync(here, cancellationToken)).ConfigureAwait(false);
            }
            catch (Exception e) when (e is IOException or SocketException or OperationCanceledException)
            {
                // ssh sees the connection close, and says so on the terminal.
            }
        }
    }
}
