using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Logging;

namespace AwsRunner.Sim.Ssh;

/// <summary>
/// The fleet's SOCKS5 endpoint on 127.0.0.1, for clients that talk SSH themselves (awsrunner's default transport,
/// <c>--ssh-proxy</c>): a CONNECT to an instance's address and port 22 is joined to that node's sshd on 127.0.0.1,
/// through the same map as the ssh_config's ProxyCommand; every other address or port is refused, never tried.
/// No login is asked (the endpoint listens on loopback only).
/// </summary>
internal sealed partial class SocksEndpoint : IAsyncDisposable
{
    private const byte Version = 5;
    private const byte NoLogin = 0;
    private const byte NoAcceptableMethod = 0xFF;
    private const byte Connect = 1;
    private const byte Succeeded = 0;
    private const byte NotAllowed = 2;
    private const byte CommandNotSupported = 7;
    private const int SshPort = 22;

    // A client that does not finish its greeting in this time is dropped: nothing waits on a peer that went away.
    private static readonly TimeSpan HandshakeTimeout = TimeSpan.FromSeconds(10);

    private readonly TcpListener listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource stop = new();
    private readonly AddressMap map;
    private readonly ILogger logger;
    private readonly Task accepting;

    public SocksEndpoint(AddressMap map, ILogger<SocksEndpoint> logger)
    {
        this.map = map;
        this.logger = logger;
        listener.Start();
        accepting = AcceptAsync(stop.Token);
    }

    /// <summary>How a client names the endpoint: <c>socks5://127.0.0.1:PORT</c>.</summary>
    public Uri Url => new($"socks5://127.0.0.1:{((IPEndPoint)listener.LocalEndpoint).Port}");

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
            // Stopped with the fleet.
        }

        stop.Dispose();
    }

    private async Task AcceptAsync(CancellationToken cancellationToken)
    {
        var clients = new List<Task>();
        try
        {
            while (true)
            {
                var client = await listener.AcceptTcpClientAsync(cancellationToken).ConfigureAwait(false);
                clients.RemoveAll(t => t.IsCompleted);
                clients.Add(ServeAsync(client, cancellationToken));
            }
        }
        finally
        {
            await Task.WhenAll(clients).ConfigureAwait(false);
        }
    }

    private async Task ServeAsync(TcpClient client, CancellationToken cancellationToken)
    {
        using (client)
        {
            try
            {
                var stream = client.GetStream();
                int? port;
                using (var handshake = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
                {
                    handshake.CancelAfter(HandshakeTimeout);
                    port = await HandshakeAsync(stream, handshake.Token).ConfigureAwait(false);
                }

                if (port is null)
                {
                    return;
                }

                using var node = new TcpClient();
                await node.ConnectAsync(IPAddress.Loopback, port.Value, cancellationToken).ConfigureAwait(false);
                await stream.WriteAsync(new byte[] { Version, Succeeded, 0, 1, 0, 0, 0, 0, 0, 0 }, cancellationToken).ConfigureAwait(false);
                var sshd = node.GetStream();
                // Whichever side closes ends both, so that neither the client nor sshd waits on a dead peer.
                await Task.WhenAny(stream.CopyToAsync(sshd, cancellationToken), sshd.CopyToAsync(stream, cancellationToken)).ConfigureAwait(false);
            }
            catch (Exception e) when (e is IOException or SocketException or OperationCanceledException)
            {
                LogDropped(logger, e.Message);
            }
        }
    }

    /// <summary>Reads the greeting and the request; answers a refusal itself.</summary>
    /// <returns>The port of the sshd to join, or null when the request was refused.</returns>
    private async Task<int?> HandshakeAsync(NetworkStream stream, CancellationToken cancellationToken)
    {
        var greeting = new byte[2];
        await stream.ReadExactlyAsync(greeting, cancellationToken).ConfigureAwait(false);
        var methods = new byte[greeting[1]];
        await stream.ReadExactlyAsync(methods, cancellationToken).ConfigureAwait(false);
        if (greeting[0] != Version || !methods.Contains(NoLogin))
        {
            await stream.WriteAsync(new byte[] { Version, NoAcceptableMethod }, cancellationToken).ConfigureAwait(false);
            return null;
        }

        await stream.WriteAsync(new byte[] { Version, NoLogin }, cancellationToken).ConfigureAwait(false);
        var request = new byte[4];
        await stream.ReadExactlyAsync(request, cancellationToken).ConfigureAwait(false);
        var address = request[3] switch
        {
            1 => new IPAddress(await ReadAsync(stream, 4, cancellationToken).ConfigureAwait(false)).ToString(),
            4 => new IPAddress(await ReadAsync(stream, 16, cancellationToken).ConfigureAwait(false)).ToString(),
            3 => Encoding.ASCII.GetString(await ReadAsync(stream, stream.ReadByte(), cancellationToken).ConfigureAwait(false)),
            _ => null,
        };
        var port = BinaryPrimitives.ReadUInt16BigEndian(await ReadAsync(stream, 2, cancellationToken).ConfigureAwait(false));
        if (request[1] != Connect || address is null)
        {
            await RefuseAsync(stream, CommandNotSupported, cancellationToken).ConfigureAwait(false);
            return null;
        }

        if (port != SshPort || map.PortOf(address) is not { } sshd)
        {
            LogRefused(logger, address, port);
            await RefuseAsync(stream, NotAllowed, cancellationToken).ConfigureAwait(false);
            return null;
        }

        return sshd;
    }

    private static async Task<byte[]> ReadAsync(NetworkStream stream, int count, CancellationToken cancellationToken)
    {
        var bytes = new byte[Math.Max(count, 0)];
        await stream.ReadExactlyAsync(bytes, cancellationToken).ConfigureAwait(false);
        return bytes;
    }

    private static async Task RefuseAsync(NetworkStream stream, byte reply, CancellationToken cancellationToken) =>
        await stream.WriteAsync(new byte[] { Version, reply, 0, 1, 0, 0, 0, 0, 0, 0 }, cancellationToken).ConfigureAwait(false);

    [LoggerMessage(Level = LogLevel.Information, Message = "SOCKS5: refused {Address} port {Port}: no instance answers SSH there")]
    private static partial void LogRefused(ILogger logger, string address, int port);

    [LoggerMessage(Level = LogLevel.Debug, Message = "SOCKS5: a connection ended: {Error}")]
    private static partial void LogDropped(ILogger logger, string error);
}
