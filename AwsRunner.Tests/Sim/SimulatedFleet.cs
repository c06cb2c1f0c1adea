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

    /// <summary>The fleet's SOCKS5 endpoint (socks5://127.0.0.1:PORT), for awsrunner's default transport.</summary>
    public string SshProxy { get; private set; } = "";

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

    /// <summary>
    /// The options that point awsrunner at the fleet, as a user gives them: EC2 and S3 at <paramref name="endpoint"/>
    /// (the fleet's moto, or a proxy in front of it), the nodes through the SOCKS5 endpoint or the ssh_config.
    /// </summary>
    public IReadOnlyList<string> AwsOptionsAt(Uri endpoint, SshRoute route) =>
        ["--region", Region, "--endpoint-url", endpoint.ToString(), "--ssh-user", SshUser, .. route == SshRoute.Socks ? ["--ssh-proxy", SshProxy] : new[] { "--ssh-config", SshConfig }];

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

    /// <summary>The fleet's program with other arguments (its interrupt and reboot verbs), as a user runs it.</summary>
    public static Task<CliRun> RunProgramAsync(params string[] arguments) =>
        DotnetCommand.RunAsync(AppContext.BaseDirectory, null, [Dll, .. arguments]);

    /// <summary>Reboots an instance's node through the fleet's reboot verb, as a user does while the fleet runs.</summary>
    public Task<CliRun> RebootAsync(string instanceId) => RunProgramAsync("reboot", "--folder", Folder, instanceId);

    /// <summary>Interrupts a spot instance through the fleet's interrupt verb, as a user does while the fleet runs.</summary>
    public Task<CliRun> InterruptAsync(string instanceId) => RunProgramAsync("interrupt", "--folder", Folder, instanceId);

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

    /// <summary>The base URL of the node's instance metadata, as its processes are given it (the session's exports).</summary>
    public string MetadataUrl(string instanceId)
    {
        var export = $"export {NodeFolder.MetadataUrlVariable}=";
        var line = File.ReadAllLines(Path.Combine(NodePath(instanceId), "sshd", "session.sh")).Single(l => l.StartsWith(export, StringComparison.Ordinal));
        return line[export.Length..].Trim('\'');
    }

    /// <summary>The live processes of one node.</summary>
    public IReadOnlyList<int> NodeProcesses(string instanceId) => TaggedProcesses.Find(NodeFolder.TagVariable, Tag + instanceId + "/");

    /// <summary>
    /// Whether the node's sshd runs, by the pid it wrote: sshd rewrites its environment for its process titles, so
    /// the node's tag does not find it.
    /// </summary>
    public bool SshdRunning(string instanceId) => SshdProcess(instanceId) is not null;

    /// <summary>The process id of the node's running sshd (a reboot starts another), or null when none runs.</summary>
    public string? SshdProcess(string instanceId)
    {
        var pidFile = Path.Combine(NodePath(instanceId), "sshd", "sshd.pid");
        try
        {
            var pid = File.ReadAllText(pidFile).Trim();
            return File.ReadAllText($"/proc/{pid}/cmdline").Contains("sshd", StringComparison.Ordinal) ? pid : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
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
        SshProxy = values["AWSRUNNER_FLEET_SSH_PROXY"];
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
