using System.Collections.Concurrent;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Logging;
using Renci.SshNet;
using Renci.SshNet.Common;

namespace AwsRunner.Core.Cloud.Ssh.SshNet;

/// <summary>
/// Opens SSH.NET connections to nodes: the batch's key, the batch's known_hosts, directly or through the SOCKS5 proxy,
/// and never more than <see cref="SshOptions.MaxConnecting"/> in their opening handshake at once. Nothing is forwarded.
/// </summary>
internal sealed class SshNetConnector(SshOptions options, BatchSshFiles files, ILoggerFactory loggers) : IDisposable
{
    private const int SshPort = 22;
    private const string CertificateSuffix = "-cert-v01@openssh.com";

    // As OpenSSH's ServerAliveInterval: a connection kept open between the rounds of a step does not go stale in a NAT.
    private static readonly TimeSpan KeepAlive = TimeSpan.FromSeconds(15);

    private static readonly Encoding Utf8 = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false);

    private readonly SemaphoreSlim connecting = new(options.MaxConnecting, options.MaxConnecting);
    private readonly KnownHosts knownHosts = new();
    private readonly ConcurrentDictionary<string, Lazy<PrivateKeyFile>> keys = new(StringComparer.Ordinal);

    /// <summary>Opens a command connection.</summary>
    public Task<SshClient> OpenAsync(NodeInstance node, CancellationToken cancellationToken) =>
        ConnectAsync(node, "reach", info => new SshClient(info) { KeepAliveInterval = KeepAlive }, cancellationToken);

    /// <summary>Opens a file copy connection (SCP, which needs no sftp server on the node).</summary>
    public Task<ScpClient> OpenCopyAsync(NodeInstance node, CancellationToken cancellationToken) =>
        ConnectAsync(node, "copy files with", info => new ScpClient(info, RemotePathTransformation.ShellQuote), cancellationToken);

    public void Dispose()
    {
        foreach (var key in keys.Values.Where(k => k.IsValueCreated))
        {
            key.Value.Dispose();
        }

        connecting.Dispose();
    }

    private async Task<T> ConnectAsync<T>(NodeInstance node, string attempting, Func<ConnectionInfo, T> create, CancellationToken cancellationToken)
        where T : BaseClient
    {
        var address = node.Address ?? throw SshFailure.NoAddress(node);
        var knownHostsFile = files.KnownHostsFile(node);
        files.CreateBatchFolder(node);
        var info = Info(node, address, knownHostsFile);
        await connecting.WaitAsync(cancellationToken).ConfigureAwait(false);
        var client = create(info);
        var refused = false;
        client.HostKeyReceived += (_, e) =>
        {
            e.CanTrust = knownHosts.TrustOrRecord(knownHostsFile, node.InstanceId, e.HostKey);
            refused |= !e.CanTrust;
        };
        try
        {
            await client.ConnectAsync(cancellationToken).ConfigureAwait(false);
            return client;
        }
        catch (Exception e) when (refused)
        {
            client.Dispose();
            throw SshFailure.Changed(node, attempting, knownHostsFile, e);
        }
        catch (Exception e) when (e is SocketException or SshException or TimeoutException or IOException
            || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested)
            || IsTimedOutSocket(e))
        {
            client.Dispose();
            throw SshFailure.NotReached(node, attempting, Describe(e), e);
        }
        catch
        {
            client.Dispose();
            throw;
        }
        finally
        {
            connecting.Release();
        }
    }

    private ConnectionInfo Info(NodeInstance node, string address, string knownHostsFile)
    {
        var login = new PrivateKeyAuthenticationMethod(options.User, Key(node));
        var info = options.Proxy is { } proxy
            ? new ConnectionInfo(address, SshPort, options.User, ProxyTypes.Socks5, proxy.Host, proxy.Port, null, null, login)
            : new ConnectionInfo(address, SshPort, options.User, login);
        info.Timeout = options.ConnectTimeout;
        info.Encoding = Utf8;
        info.LoggerFactory = loggers;

        // As OpenSSH does: a node whose key of one kind is recorded is asked for a key of that kind, so that the check
        // compares like with like. Host certificates are never asked for; the key itself is what is recorded.
        var recorded = knownHosts.RecordedTypes(knownHostsFile, node.InstanceId);
        foreach (var algorithm in info.HostKeyAlgorithms.Keys.Where(a => a.EndsWith(CertificateSuffix, StringComparison.Ordinal) || (recorded.Count > 0 && !recorded.Contains(KeyTypeOf(a)))).ToList())
        {
            info.HostKeyAlgorithms.Remove(algorithm);
        }

        return info;
    }

    private PrivateKeyFile Key(NodeInstance node)
    {
        var path = files.KeyFile(node);
        var key = keys.GetOrAdd(path, p => new Lazy<PrivateKeyFile>(() => new PrivateKeyFile(p)));
        try
        {
            return key.Value;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or SshException)
        {
            keys.TryRemove(path, out _);
            throw new CloudException("SshKey", $"read the batch's SSH key {path}", e.Message,
                hint: "the batch's key is made by dispatch DispatchOptions.Create (or links to its AwsCloudOptions.KeyFile); a key with a passphrase can be used through SshOptions.ConfigFile and ssh-agent",
                inner: e);
        }
    }

    // The RSA signature algorithms all verify an ssh-rsa key.
    private static string KeyTypeOf(string algorithm) => algorithm is "rsa-sha2-256" or "rsa-sha2-512" ? "ssh-rsa" : algorithm;

    // SSH.NET's proxy connector disposes the socket when its timeout fires and may then still shut it down: the
    // handshake timed out, though what surfaces is the disposed socket.
    private static bool IsTimedOutSocket(Exception e) => e is ObjectDisposedException { ObjectName: var name } && name == typeof(Socket).FullName;

    private string Describe(Exception e) => e switch
    {
        SocketException { SocketErrorCode: SocketError.ConnectionRefused } => "Connection refused",
        OperationCanceledException or TimeoutException or SshOperationTimeoutException => $"no answer within {options.ConnectTimeout.TotalSeconds:0.#} s",
        _ when IsTimedOutSocket(e) => $"no answer within {options.ConnectTimeout.TotalSeconds:0.#} s",
        _ => e.Message,
    };
}
