using System.Diagnostics;
using AwsRunner.Core.Cloud;
using AwsRunner.Core.Cloud.Local;
using AwsRunner.Core.Jobs;
using AwsRunner.Sim;
using AwsRunner.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;

namespace AwsRunner.Tests.Cloud.Local;

public sealed class LocalPowerOffTests
{
    private const string Marker = "AWSRUNNER_LOCAL_NODE";
    private TempFolder home = null!;
    private CloudConnection connection = null!;
    private NodeInstance node = null!;
    private readonly List<Process> unrelated = [];

    private string NodeFolder => LocalPaths.NodeOfHome(node.Address!);

    [SetUp]
    public async Task SetUp()
    {
        home = new TempFolder();
        connection = LocalCloudConnection.Open(home.Path, 2, TimeProvider.System, NullLoggerFactory.Instance);
        var launched = await connection.Cloud.LaunchAsync(
            new LaunchRequest("off", "local", [new JobRow { Index = 0, Line = 2, InstanceType = "t3.micro", Command = "true", Variables = [] }], TimeSpan.FromHours(1)), CancellationToken.None);
        node = launched.Nodes.Single();
    }

    [TearDown]
    public async Task TearDown()
    {
        TaggedProcesses.Kill(Marker, home.Path + "/");
        foreach (var process in unrelated)
        {
            process.Kill();
            process.Dispose();
        }

        unrelated.Clear();
        await connection.DisposeAsync();
        home.Dispose();
    }

    [Test]
    public async Task Terminate_StepWithChildrenOrphansAndSubgroups_EndsEveryProcessOfTheNodeAndNothingElse()
    {
        // A process that is not the node's, whose pid the node's files name (as a pid reused after a step ended would be).
        var stranger = StartUnrelated();
        await StartStepAsync(
            "echo $$ > awsrunner/run.pid; sleep 300 & (sleep 301 &); timeout 600 sleep 302 & " +
            $"echo {stranger.Id} > awsrunner/install.pid; exec sleep 303");
        await Eventually.WaitAsync(() => NodeProcesses().Count, n => n == 5, TimeSpan.FromSeconds(20), "the step's five processes");

        await connection.Cloud.TerminateAsync("off", [node.InstanceId], CancellationToken.None);

        await Eventually.WaitAsync(() => NodeProcesses().Count == 0, TimeSpan.FromSeconds(10), "every process of the node to end");
        Assert.That(stranger.HasExited, Is.False, "a process whose environment does not name the node is left alone");
        Assert.That((await connection.Cloud.DescribeAsync("off", CancellationToken.None)).Single().State, Is.EqualTo(InstanceState.Terminated));
    }

    [Test]
    public async Task Terminate_NodeHoldingAJobsSecrets_DeletesThem_ItsFolderStayingUntilDown()
    {
        var secrets = Path.Combine(node.Address!, AwsRunner.Core.Node.NodeRunnerScript.Folder, AwsRunner.Core.Node.NodeVariables.SecretsFile);
        Directory.CreateDirectory(Path.GetDirectoryName(secrets)!);
        File.WriteAllText(secrets, "API_TOKEN=tok\0");
        await StartStepAsync("echo $$ > awsrunner/run.pid; exec sleep 300");

        await connection.Cloud.TerminateAsync("off", [node.InstanceId], CancellationToken.None);

        Assert.That(File.Exists(secrets), Is.False);
        Assert.That(Directory.Exists(node.Address), Is.True);
    }

    [Test]
    public async Task PowerOff_MoreProcessesOnTheMachine_RunsTheSameFewCommands()
    {
        await StartStepAsync("echo $$ > awsrunner/run.pid; sleep 300 & exec sleep 301");
        await Eventually.WaitAsync(() => NodeProcesses().Count, n => n == 2, TimeSpan.FromSeconds(20), "the step's two processes");
        var quiet = await CommandsRunByPowerOffAsync();
        for (var i = 0; i < 50; i++)
        {
            StartUnrelated();
        }

        await StartStepAsync("echo $$ > awsrunner/run.pid; exec sleep 302");
        var busy = await CommandsRunByPowerOffAsync();

        Assert.That(busy, Has.Count.EqualTo(quiet.Count), $"commands run: {string.Join(", ", busy)}");
        Assert.That(busy, Has.Count.LessThanOrEqualTo(3), $"commands run: {string.Join(", ", busy)}");
        Assert.That(NodeProcesses(), Is.Empty);
    }

    /// <summary>Starts a detached step on the node the way the runner does: a session of its own, the node's marker inherited.</summary>
    private async Task StartStepAsync(string script)
    {
        var result = await connection.Shell.RunAsync(
            node, $"mkdir -p awsrunner && (setsid nohup bash -c {AwsRunner.Core.Node.ShellQuote.Quote(script)} < /dev/null > /dev/null 2>&1 &)", null, CancellationToken.None);
        Assert.That(result.ExitCode, Is.Zero, result.Error);
    }

    /// <summary>Runs the node's power-off with every external command it may use wrapped, and lists the ones it ran.</summary>
    private async Task<IReadOnlyList<string>> CommandsRunByPowerOffAsync()
    {
        var bin = home.Combine("wrapped-bin");
        var log = home.Combine("commands.log");
        Directory.CreateDirectory(bin);
        File.WriteAllText(log, "");
        foreach (var command in new[] { "awk", "cat", "cut", "dirname", "find", "grep", "head", "ls", "mv", "pgrep", "pkill", "ps", "sed", "sleep", "tr", "xargs" })
        {
            var wrapper = Path.Combine(bin, command);
            File.WriteAllText(wrapper, $"#!/bin/bash\necho {command} >> {log}\nexec /usr/bin/{command} \"$@\"\n");
            File.SetUnixFileMode(wrapper, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        var start = new ProcessStartInfo("/bin/bash", [LocalPaths.PowerOffScript(NodeFolder)]);
        start.Environment["PATH"] = bin;
        using var process = Process.Start(start)!;
        await process.WaitForExitAsync();
        return File.ReadAllLines(log);
    }

    private Process StartUnrelated()
    {
        var process = Process.Start(new ProcessStartInfo("sleep", ["600"]))!;
        unrelated.Add(process);
        return process;
    }

    private IReadOnlyList<int> NodeProcesses() => TaggedProcesses.Find(Marker, NodeFolder);
}
