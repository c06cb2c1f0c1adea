using AwsRunner.Core;
using AwsRunner.Core.Cloud;
using AwsRunner.Core.Cloud.Ssh;
using Microsoft.Extensions.Logging.Abstractions;

namespace AwsRunner.Tests.Cloud.Ssh;

/// <summary>
/// One node of a batch as the SSH shell sees it: an awsrunner home holding the batch's key, an sshd standing in
/// for the instance, and the user-facing ssh_config that sends the instance's address to that sshd's port.
/// </summary>
internal sealed class SshTestNode : IAsyncDisposable
{
    public const string Batch = "sshtest";
    public const string Address = "node-0";

    private readonly List<SshServer> servers = [];
    private INodeShell? shell;

    private SshTestNode(string folder, string clientKey)
    {
        Folder = folder;
        ClientKey = clientKey;
        Home = Path.Combine(folder, "h");
        var batchFolder = AwsRunnerHome.BatchFolder(Home, Batch);
        Directory.CreateDirectory(batchFolder);
        File.Copy(clientKey, Path.Combine(batchFolder, "key.pem"));
    }

    public string Folder { get; }

    /// <summary>The awsrunner home.</summary>
    public string Home { get; }

    public string ClientKey { get; }

    public string KnownHostsFile => Path.Combine(Home, Batch, "known_hosts");

    /// <summary>The sshd started last.</summary>
    public SshServer Server => servers[^1];

    public INodeShell Shell => shell ?? throw new InvalidOperationException("no shell open");

    public NodeInstance Instance { get; } = new(Batch, 0, "i-0000", "t3.micro", InstanceState.Running, Address, DateTimeOffset.UnixEpoch);

    /// <summary>A node with its sshd running and a shell open to it on the system clock.</summary>
    public static async Task<SshTestNode> StartAsync(string clientKey)
    {
        var node = Create(clientKey);
        await node.StartServerAsync();
        await node.OpenAsync(TimeProvider.System, node.MapTo(node.Server.Port));
        return node;
    }

    /// <summary>A node whose sshd is not started yet.</summary>
    public static SshTestNode Create(string clientKey) => new(Directory.CreateTempSubdirectory("ars").FullName, clientKey);

    public async Task<SshServer> StartServerAsync(int? port = null)
    {
        var server = await SshServer.StartAsync(Path.Combine(Folder, $"sshd{servers.Count}"), ClientKey + ".pub", port);
        servers.Add(server);
        return server;
    }

    /// <summary>Opens a new shell (closing the one before), as a new awsrunner run on the same home would.</summary>
    public async Task<INodeShell> OpenAsync(TimeProvider time, string sshConfig, TimeSpan? bootTimeout = null)
    {
        if (shell is not null)
        {
            await shell.DisposeAsync();
        }

        shell = NodeShells.OpenSsh(
            new SshOptions
            {
                User = Environment.UserName,
                ConfigFile = sshConfig,
                ConnectTimeout = TimeSpan.FromSeconds(5),
                BootTimeout = bootTimeout ?? TimeSpan.FromSeconds(30),
            },
            Home,
            time,
            NullLoggerFactory.Instance);
        return shell;
    }

    /// <summary>An ssh_config, as a user would write one, that sends the node's address to a local port.</summary>
    public string MapTo(int port)
    {
        var path = Path.Combine(Folder, $"ssh_config_{port}");
        File.WriteAllText(path, $"Host {Address}\n  HostName 127.0.0.1\n  Port {port}\n");
        return path;
    }

    public async Task StopServerAsync() => await Server.DisposeAsync();

    public async ValueTask DisposeAsync()
    {
        if (shell is not null)
        {
            await shell.DisposeAsync();
        }

        foreach (var server in servers)
        {
            await server.DisposeAsync();
        }

        Directory.Delete(Folder, recursive: true);
    }
}
