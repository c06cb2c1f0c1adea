using System.Diagnostics;
using System.Text;
using Amazon.Runtime;
using Amazon.S3;
using AwsRunner.Core.Cloud.Aws;
using AwsRunner.Core.Cloud.Aws.Ec2;
using AwsRunner.Sim;
using AwsRunner.Sim.Nodes;
using AwsRunner.Tests.Cloud.Ssh;
using AwsRunner.Tests.Support;

namespace AwsRunner.Tests.Sim;

/// <summary>
/// The simulated fleet (AwsRunner.Sim) in a process of its own, started as a user starts it and stopped with SIGTERM;
/// with clients that look at what its moto holds, and the options that point awsrunner at it.
/// </summary>
internal sealed class SimulatedFleet : IAsyncDisposable
{
    /// <summary>An image moto knows.</summary>
    public const string Image = "ami-760aaa0f";

    private static readonly string Dll = Path.Combine(AppContext.BaseDirectory, "AwsRunner.Sim.dll");
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(30);

    private readonly Process process;
    private readonly StringBuilder log = new();

    private SimulatedFleet(Process process, string folder)
    {
        this.process = process;
        Folder = folder;
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public string Folder { get; }

    public Uri Endpoint { get; private set; } = null!;

    public string Region { get; private set; } = "";

    public string SshConfig { get; private set; } = "";

    public string SshUser { get; private set; } = "";

    public string NodesFolder { get; private set; } = "";

    /// <summary>The fleet's part of every node process's tag.</summary>
    public string Tag { get; private set; } = "";

    public bool HasExited => process.HasExited;

    /// <summary>EC2 on the fleet's moto, for looking at what awsrunner made.</summary>
    public Ec2Client Ec2 { get; private set; } = null!;

    public AmazonS3Client S3 { get; private set; } = null!;

    /// <summary>What the fleet printed and logged so far.</summary>
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

    /// <summary>Where awsrunner finds the fleet: the options a user gives.</summary>
    public IReadOnlyList<string> AwsOptions => AwsOptionsAt(Endpoint);

    /// <summary>The options that point awsrunner at the fleet through another endpoint (a proxy in front of its moto).</summary>
    public IReadOnlyList<string> AwsOptionsAt(Uri endpoint) =>
        ["--region", Region, "--endpoint-url", endpoint.ToString(), "--ssh-user", SshUser, "--ssh-config", SshConfig];

    /// <summary>Starts the fleet in <paramref name="folder"/> with the fleet's own options; fails under CI when sshd or moto_server is missing, else skips.</summary>
    public static async Task<SimulatedFleet> StartAsync(string folder, params string[] options)
    {
        SshServer.Require();
        MotoServer.Require();
        var start = new ProcessStartInfo("dotnet", [Dll, "--folder", folder, .. options])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        var fleet = new SimulatedFleet(Process.Start(start) ?? throw new InvalidOperationException("the fleet did not start"), folder);
        var environmentFile = Path.Combine(folder, "fleet.env");
        await Eventually.WaitAsync(() => File.Exists(environmentFile) || fleet.HasExited, StartTimeout, "the fleet to start");
        if (fleet.HasExited)
        {
            Assert.Fail($"the fleet exited with {fleet.process.ExitCode}:\n{fleet.Log}");
        }

        fleet.Read(environmentFile);
        return fleet;
    }

    /// <summary>The awsrunner command with its own home, dummy credentials and no AWS configuration of this machine's.</summary>
    public static AwsRunnerCli Cli(string home, string workingDirectory)
    {
        var cli = new AwsRunnerCli(home, workingDirectory);
        cli.Environment["AWS_ACCESS_KEY_ID"] = "testing";
        cli.Environment["AWS_SECRET_ACCESS_KEY"] = "testing";
        cli.Environment["AWS_SESSION_TOKEN"] = null;
        cli.Environment["AWS_PROFILE"] = null;
        cli.Environment["AWS_CONFIG_FILE"] = Path.Combine(workingDirectory, "no-aws-config");
        cli.Environment["AWS_SHARED_CREDENTIALS_FILE"] = Path.Combine(workingDirectory, "no-aws-credentials");
        return cli;
    }

    /// <summary>The instances of a batch (found by awsrunner's tag), terminated ones too.</summary>
    public Task<IReadOnlyList<Ec2Instance>> InstancesAsync(string batch) =>
        Ec2.DescribeInstancesAsync([AwsTags.Filter(batch)], CancellationToken.None);

    public string NodePath(string instanceId) => Path.Combine(NodesFolder, instanceId);

    public string NodeHome(string instanceId) => Path.Combine(NodePath(instanceId), "home");

    /// <summary>The live processes of one node.</summary>
    public IReadOnlyList<int> NodeProcesses(string instanceId) => TaggedProcesses.Find(NodeFolder.TagVariable, Tag + instanceId + "/");

    /// <summary>
    /// Whether the node's sshd runs, by the pid it wrote: sshd rewrites its environment for its process titles, so
    /// the node's tag does not find it.
    /// </summary>
    public bool SshdRunning(string instanceId)
    {
        var pidFile = Path.Combine(NodePath(instanceId), "sshd", "sshd.pid");
        return File.Exists(pidFile)
            && File.Exists($"/proc/{File.ReadAllText(pidFile).Trim()}/cmdline")
            && File.ReadAllText($"/proc/{File.ReadAllText(pidFile).Trim()}/cmdline").Contains("sshd", StringComparison.Ordinal);
    }

    /// <summary>The live processes of every node.</summary>
    public IReadOnlyList<int> AllNodeProcesses() => TaggedProcesses.Find(NodeFolder.TagVariable, Tag);

    /// <summary>Stops the fleet as Ctrl-C would (SIGTERM), and waits for it.</summary>
    /// <returns>The fleet's exit code.</returns>
    public async Task<int> StopAsync()
    {
        if (!process.HasExited)
        {
            using var kill = Process.Start(new ProcessStartInfo("kill", ["-TERM", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]) { UseShellExecute = false })!;
            await kill.WaitForExitAsync();
            using var timeout = new CancellationTokenSource(StopTimeout);
            try
            {
                await process.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                Assert.Fail($"the fleet did not stop within {StopTimeout} of SIGTERM:\n{Log}");
            }
        }

        return process.ExitCode;
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await StopAsync();
        }
        finally
        {
            Ec2?.Dispose();
            S3?.Dispose();
            process.Dispose();
        }
    }

    private void Read(string environmentFile)
    {
        var values = File.ReadAllLines(environmentFile)
            .Select(line => line.Split('=', 2))
            .ToDictionary(p => p[0], p => p[1].Trim('\'').Replace("'\\''", "'", StringComparison.Ordinal), StringComparer.Ordinal);
        Endpoint = new Uri(values["AWSRUNNER_FLEET_ENDPOINT_URL"]);
        Region = values["AWSRUNNER_FLEET_REGION"];
        SshConfig = values["AWSRUNNER_FLEET_SSH_CONFIG"];
        SshUser = values["AWSRUNNER_FLEET_SSH_USER"];
        NodesFolder = values["AWSRUNNER_FLEET_NODES"];
        Tag = values["AWSRUNNER_FLEET_TAG"];
        var session = new AwsSession(Region, new BasicAWSCredentials("testing", "testing"), Endpoint);
        Ec2 = new Ec2Client(SdkClients.Ec2(session), Polly.ResiliencePipeline.Empty, 1000);
        S3 = SdkClients.S3(session);
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
