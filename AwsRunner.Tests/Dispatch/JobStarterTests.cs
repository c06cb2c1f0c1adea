using AwsRunner.Core.Dispatch;
using AwsRunner.Core.Node;
using AwsRunner.Tests.Node;

namespace AwsRunner.Tests.Dispatch;

/// <summary>The dispatch's start command, run as the node's shell would run it, on a real runner.</summary>
public sealed class JobStarterTests
{
    private RunnerNode node = null!;

    [SetUp]
    public void SetUp() => node = new RunnerNode();

    [TearDown]
    public void TearDown() => node.Dispose();

    [Test]
    public async Task StartCommand_PlacesEachFileOfTheTarOwnerOnly_AndStartsTheJob()
    {
        await InstallAsync();

        var started = await StartAsync("echo hello", node.JobObjects);
        await node.WaitPoweredOffAsync();

        Assert.That(started.ExitCode, Is.Zero, started.Error);
        Assert.That(node.ReadObject("job.log"), Is.EqualTo("hello\n"));
        foreach (var file in new[] { NodeRunnerScript.JobEnvFile, NodeRunnerScript.UrlsEnvFile })
        {
            Assert.That(File.GetUnixFileMode(Path.Combine(node.Runner, file)), Is.EqualTo(UnixFileMode.UserRead | UnixFileMode.UserWrite), file);
        }

        Assert.That(Directory.GetDirectories(node.Runner), Is.Empty, "no temporary folder is left behind");
    }

    [Test]
    public async Task StartCommand_ReRunOnANodeStillUploading_HandsItFreshUrlsOnly_AndItUploadsWithoutRunningTheJobAgain()
    {
        await InstallAsync();
        var first = await StartAsync("echo once >> ../ran.txt; echo hello", Path.Combine(node.Bucket, "expired"));
        Assert.That(first.ExitCode, Is.Zero, first.Error);
        await node.WaitForStateAsync("uploading");
        var jobEnv = File.ReadAllText(Path.Combine(node.Runner, NodeRunnerScript.JobEnvFile));

        var again = await StartAsync("echo twice >> ../ran.txt", node.JobObjects);
        await node.WaitPoweredOffAsync(TimeSpan.FromSeconds(30));

        Assert.That(again.ExitCode, Is.Zero, again.Error);
        Assert.That(again.Output.Trim(), Is.AnyOf("uploading", "done"));
        Assert.That(File.ReadAllText(Path.Combine(node.Home, "ran.txt")), Is.EqualTo("once\n"));
        Assert.That(File.ReadAllText(Path.Combine(node.Runner, NodeRunnerScript.JobEnvFile)), Is.EqualTo(jobEnv));
        Assert.That(node.ReadObject("job.log"), Is.EqualTo("hello\n"));
        Assert.That(node.State, Is.EqualTo("done"));
    }

    private async Task<Core.Cloud.ShellResult> StartAsync(string command, string objects)
    {
        using var files = NodeFilesTar.Write(
        [
            KeyValuePair.Create(NodeRunnerScript.JobEnvFile, RunnerNode.JobEnv(command)),
            KeyValuePair.Create(NodeRunnerScript.UrlsEnvFile, RunnerNode.Urls(objects)),
        ]);
        return await node.ShellAsync(JobStarter.StartCommand, files);
    }

    private async Task InstallAsync()
    {
        await node.RunnerAsync("start", "install");
        await node.WaitForStateAsync("ready");
    }
}
