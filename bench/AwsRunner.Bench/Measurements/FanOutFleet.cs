using System.Diagnostics;
using System.Globalization;
using System.Text;
using Amazon.Runtime;
using AwsRunner.Bench.Infrastructure;
using AwsRunner.Core;
using AwsRunner.Core.Node;
using AwsRunner.Core.Cloud.Aws;
using AwsRunner.Core.Cloud.Aws.Ec2;
using AwsRunner.Tests.Support;

namespace AwsRunner.Bench.Measurements;

/// <summary>
/// The simulated fleet (AwsRunner.Sim, built by bench/run) in a process of its own, watching the suite's moto: every
/// running instance becomes a node with its own sshd on 127.0.0.1. OpenSSH (pssh, and awsrunner's --ssh-config) reaches
/// the nodes through one ssh_config whose ProxyCommand counts each SSH connection before handing it to the fleet's own
/// proxy; awsrunner's in-process transport through the fleet's SOCKS5 endpoint, behind a relay that counts the same way.
/// </summary>
internal sealed class FanOutFleet : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan NodesGoneTimeout = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan Look = TimeSpan.FromMilliseconds(100);

    private readonly Process process;
    private readonly StringBuilder log = new();
    private readonly string folder;

    private FanOutFleet(Process process, string folder, Uri endpoint)
    {
        this.process = process;
        this.folder = folder;
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        ConnectionsFile = Path.Combine(folder, "connections");
        SshConfig = Path.Combine(folder, "counting_ssh_config");
        var session = new AwsSession(Infrastructure.ToolEnvironment.Region, new BasicAWSCredentials("testing", "testing"), endpoint);
        Ec2 = new Ec2Client(SdkClients.Ec2(session), Polly.ResiliencePipeline.Empty, 1000);
    }

    /// <summary>The ssh_config OpenSSH is given: the fleet's proxy, behind a connection counter.</summary>
    public string SshConfig { get; }

    /// <summary>The SOCKS5 proxy awsrunner's in-process transport is given: the fleet's endpoint, behind a connection counter.</summary>
    public string SshProxy => $"socks5://127.0.0.1:{Socks?.Port}";

    private CountingRelay? Socks { get; set; }

    public string SshUser { get; private set; } = "";

    /// <summary>EC2 on the fleet's moto, for the suite's own looks at the instances.</summary>
    public Ec2Client Ec2 { get; }

    private string ConnectionsFile { get; }

    private string NodesFolder { get; set; } = "";

    private string PortsFile => Path.Combine(folder, "ports");

    public static async Task<FanOutFleet> StartAsync(string folder, Uri moto, CancellationToken cancellationToken)
    {
        var dll = Repository.File("AwsRunner.Sim", "bin", "Release", "net10.0", "AwsRunner.Sim.dll");
        if (!File.Exists(dll))
        {
            throw new InvalidOperationException($"{dll} is missing: run the suite with bench/run, which builds it");
        }

        var start = new ProcessStartInfo("dotnet", [dll, "--folder", folder, "--endpoint-url", moto.ToString()])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        var fleet = new FanOutFleet(Process.Start(start) ?? throw new InvalidOperationException("the fleet did not start"), folder, moto);
        var environmentFile = Path.Combine(folder, "fleet.env");
        var deadline = Stopwatch.StartNew();
        while (!File.Exists(environmentFile))
        {
            if (fleet.process.HasExited || deadline.Elapsed > StartTimeout)
            {
                await fleet.DisposeAsync();
                throw new InvalidOperationException($"the simulated fleet did not start:\n{fleet.Log}");
            }

            await Task.Delay(Look, cancellationToken);
        }

        fleet.Configure(environmentFile);
        return fleet;
    }

    /// <summary>Everything the fleet said so far, for a failure's message.</summary>
    public string Log
    {
        get
        {
            lock (log)
            {
                return log.ToString();
            }
        }
    }

    public string NodeHome(string instanceId) => Path.Combine(NodesFolder, instanceId, "home");

    /// <summary>Starts counting SSH connections from zero.</summary>
    public void ResetConnections()
    {
        File.WriteAllText(ConnectionsFile, "");
        Socks?.Reset();
    }

    /// <summary>SSH connections opened to any node since the last reset, by either route.</summary>
    public long Connections => new FileInfo(ConnectionsFile).Length + (Socks?.Connections ?? 0);

    /// <summary>Waits until the fleet has taken every node down (after moto was reset, say): no address leads to an sshd any more.</summary>
    public async Task WaitNoNodesAsync(CancellationToken cancellationToken)
    {
        var deadline = Stopwatch.StartNew();
        while (File.Exists(PortsFile) && (await File.ReadAllTextAsync(PortsFile, cancellationToken)).Trim().Length > 0)
        {
            if (deadline.Elapsed > NodesGoneTimeout)
            {
                throw new InvalidOperationException($"the fleet still had nodes {NodesGoneTimeout} after their instances went:\n{Log}");
            }

            await Task.Delay(Look, cancellationToken);
        }
    }

    /// <summary>Stops the fleet as Ctrl-C would (SIGTERM): it takes every node down.</summary>
    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!process.HasExited)
            {
                using var kill = Process.Start(new ProcessStartInfo("kill", ["-TERM", process.Id.ToString(CultureInfo.InvariantCulture)]) { UseShellExecute = false })!;
                await kill.WaitForExitAsync();
                using var timeout = new CancellationTokenSource(StopTimeout);
                try
                {
                    await process.WaitForExitAsync(timeout.Token);
                }
                catch (OperationCanceledException)
                {
                    process.Kill(entireProcessTree: true);
                }
            }
        }
        finally
        {
            Socks?.Dispose();
            Ec2.Dispose();
            process.Dispose();
        }
    }

    private void Configure(string environmentFile)
    {
        var values = File.ReadAllLines(environmentFile)
            .Select(line => line.Split('=', 2))
            .ToDictionary(p => p[0], p => p[1].Trim('\'').Replace("'\\''", "'", StringComparison.Ordinal), StringComparer.Ordinal);
        SshUser = values["AWSRUNNER_FLEET_SSH_USER"];
        NodesFolder = values["AWSRUNNER_FLEET_NODES"];
        Socks = new CountingRelay(new Uri(values["AWSRUNNER_FLEET_SSH_PROXY"]).Port);
        var fleetProxy = Path.Combine(Path.GetDirectoryName(values["AWSRUNNER_FLEET_SSH_CONFIG"])!, "proxy.sh");
        var counter = Path.Combine(folder, "count-connection.sh");
        File.WriteAllText(counter, EmbeddedText.Read(typeof(FanOutFleet).Assembly, "AwsRunner.Bench.Scripts.count-connection.sh"));
        ResetConnections();
        // ssh runs the ProxyCommand with the user's shell after expanding %-tokens in it.
        string Word(string path) => ShellQuote.Quote(path).Replace("%", "%%", StringComparison.Ordinal);
        File.WriteAllText(SshConfig, $"Host *\n    ProxyCommand /bin/bash {Word(counter)} {Word(ConnectionsFile)} {Word(fleetProxy)} %h %p\n");
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (log)
        {
            log.AppendLine(line);
        }
    }
}
