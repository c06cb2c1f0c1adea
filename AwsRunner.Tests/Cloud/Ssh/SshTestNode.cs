using AwsRunner.Core;
using AwsRunner.Core.Cloud;
using AwsRunner.Core.Cloud.Ssh;
using AwsRunner.Sim.Ssh;
using Microsoft.Extensions.Logging.Abstractions;

namespace AwsRunner.Tests.Cloud.Ssh;

/// <summary>
/// One node of a batch as an SSH transport sees it: an awsrunner home holding the batch's key, an sshd standing in
/// for the instance, and the route a user would give that leads the instance's address to that sshd's port: an
/// ssh_config for OpenSSH, or a SOCKS5 endpoint (the simulated fleet's) for the in-process transport.
/// </summary>
internal sealed class SshTestNode : IAsyncDisposable
{
    public const string Batch = "sshtest";
    public const string Address = "node-0";

    private readonly List<SshServer> servers = [];
    private readonly AddressMap map;
    private SocksEndpoint? socks;
    private INodeShell? shell;

    private SshTestNode(string folder, string clientKey, SshRoute route)
    {
        Folder = folder;
        ClientKey = clientKey;
        Route = route;
        Home = Path.Combine(folder, "h");
        Directory.CreateDirectory(AwsRunnerHome.BatchFolder(Home, Batch));
        File.Copy(clientKey, AwsRunnerHome.KeyFile(Home, Batch));
        map = new AddressMap(folder);
    }

    public string Folder { get; }

    /// <summary>The awsrunner home.</summary>
    public string Home { get; }

    public string ClientKey { get; }

    public SshRoute Route { get; }

    public string KnownHostsFile => AwsRunnerHome.KnownHostsFile(Home, Batch);

    /// <summary>The sshd started last.</summary>
    public SshServer Server => servers[^1];

    public INodeShell Shell => shell ?? throw new InvalidOperationException("no shell open");

    /// <summary>The instance, launched when the shell was last opened (the boot timeout counts from then).</summary>
    public NodeInstance Instance { get; private set; } = new(Batch, 0, "i-0000", "t3.micro", InstanceState.Running, Address, DateTimeOffset.UtcNow);

    /// <summary>A node with its sshd running and a shell open to it on the system clock.</summary>
    public static async Task<SshTestNode> StartAsync(string clientKey, SshRoute route)
    {
        var node = Create(clientKey, route);
        await node.StartServerAsync();
        await node.OpenAsync(TimeProvider.System, node.MapTo(node.Server.Port));
        return node;
    }

    /// <summary>A node whose sshd is not started yet.</summary>
    public static SshTestNode Create(string clientKey, SshRoute route) => new(Directory.CreateTempSubdirectory("ars").FullName, clientKey, route);

    public async Task<SshServer> StartServerAsync(int? port = null)
    {
        var server = await SshServer.StartAsync(Path.Combine(Folder, $"sshd{servers.Count}"), ClientKey + ".pub", port);
        servers.Add(server);
        return server;
    }

    /// <summary>Opens a new shell (closing the one before), as a new awsrunner run on the same home would.</summary>
    /// <param name="time">The clock; the instance is launched now on it.</param>
    /// <param name="route">What <see cref="MapTo"/> gave: an ssh_config file, or a SOCKS5 proxy's URL.</param>
    /// <param name="bootTimeout">How long the node may take to answer, from now.</param>
    /// <param name="configure">Changes to the options, such as limits.</param>
    public async Task<INodeShell> OpenAsync(TimeProvider time, string route, TimeSpan? bootTimeout = null, Func<SshOptions, SshOptions>? configure = null)
    {
        if (shell is not null)
        {
            await shell.DisposeAsync();
        }

        Instance = Instance with { LaunchTime = time.GetUtcNow() };
        var options = new SshOptions
        {
            User = Environment.UserName,
            ConnectTimeout = TimeSpan.FromSeconds(5),
            BootTimeout = bootTimeout ?? TimeSpan.FromSeconds(30),
        };
        options = Route == SshRoute.SshConfig ? new SshOptions(options) { ConfigFile = route } : new SshOptions(options) { Proxy = new Uri(route) };
        shell = SshTransports.Open(configure?.Invoke(options) ?? options, Home, time, NullLoggerFactory.Instance);
        return shell;
    }

    /// <summary>The route a user would give that sends the node's address (and <paramref name="aliases"/>) to a local port.</summary>
    public string MapTo(int port, params string[] aliases)
    {
        if (Route == SshRoute.Socks)
        {
            map.Add([Address, .. aliases], port);
            socks ??= new SocksEndpoint(map, NullLogger<SocksEndpoint>.Instance);
            return socks.Url.ToString();
        }

        var path = Path.Combine(Folder, $"ssh_config_{port}");
        File.WriteAllText(path, string.Concat(((string[])[Address, .. aliases]).Select(a => $"Host {a}\n  HostName 127.0.0.1\n  Port {port}\n")));
        return path;
    }

    /// <summary>Another instance of the batch, reached at <paramref name="address"/> (route it with <see cref="MapTo"/>).</summary>
    public NodeInstance Another(int index, string address) =>
        Instance with { JobIndex = index, InstanceId = $"i-{index:0000}", Address = address };

    public async Task StopServerAsync() => await Server.DisposeAsync();

    public async ValueTask DisposeAsync()
    {
        if (shell is not null)
        {
            await shell.DisposeAsync();
        }

        if (socks is not null)
        {
            await socks.DisposeAsync();
        }

        foreach (var server in servers)
        {
            await server.DisposeAsync();
        }

        Directory.Delete(Folder, recursive: true);
    }
}
