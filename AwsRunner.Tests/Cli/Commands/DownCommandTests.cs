using AwsRunner.Tests.Support;

namespace AwsRunner.Tests.Cli.Commands;

/// <summary><c>down</c> of a batch whose job still runs: it asks first, or, where no one can answer, refuses.</summary>
public sealed class DownCommandTests
{
    private LocalBatch batch = null!;

    [SetUp]
    public async Task SetUp()
    {
        batch = new LocalBatch();
        batch.Write("project/jobs.csv", "instance_type,command\nt3.micro,\"while [ ! -e release ]; do sleep 0.2; done\"\nt3.micro,true\n");
        var run = await batch.RunAsync("dispatch", "local", "busy", "project/jobs.csv", "--cloud", "local", "--create", "--dispatch", "--heartbeat", "1s");
        Assert.That(run.ExitCode, Is.Zero, run.ToString());
        await Eventually.WaitAsync(
            () => File.Exists(batch.Path("home", ".local-cloud", "buckets", "busy", "busy", "jobs", "0001", "status.json")), TimeSpan.FromSeconds(60), "job 0001 to finish");
    }

    [TearDown]
    public void TearDown() => batch.Dispose();

    [Test]
    public async Task Down_JobStillRunningAndNoTerminal_IsRefusedAskingForYes_NothingTerminated()
    {
        var down = await batch.RunAsync("down", "busy");

        Assert.That(down.ExitCode, Is.EqualTo(2), down.ToString());
        Assert.That(down.Error.Trim(), Is.EqualTo(
            "awsrunner: 1 jobs of batch busy still run (0000): down would terminate them, and no one is at a terminal to say so; run it with --yes to terminate them"));
        await AssertStillRunsAsync();
    }

    [Test]
    public async Task Down_JobStillRunningAnsweredNo_TerminatesNothing()
    {
        var down = await batch.Cli.RunOnTerminalAsync("n\n", "down", "busy");

        Assert.That(down.ExitCode, Is.EqualTo(2), down.ToString());
        Assert.That(down.Output, Does.Contain("1 jobs still run (0000); terminate them? [y/N]").And.Contain("awsrunner: nothing terminated."));
        await AssertStillRunsAsync();
    }

    [Test]
    public async Task Down_JobStillRunningAnsweredYes_TerminatesIt()
    {
        var down = await batch.Cli.RunOnTerminalAsync("y\n", "down", "busy");

        Assert.That(down.ExitCode, Is.Zero, down.ToString());
        Assert.That(down.Output, Does.Contain("terminate them? [y/N]").And.Contain("Batch busy: 1 local nodes powered off; their processes ended and their folders removed."));
        Assert.That(batch.LiveNodeProcesses(), Is.Empty);
    }

    [Test]
    public async Task Down_Yes_TerminatesWithoutAsking()
    {
        var down = await batch.RunAsync("down", "busy", "--yes");

        Assert.That(down.ExitCode, Is.Zero, down.ToString());
        Assert.That(down.Output, Does.Contain("Batch busy: 1 local nodes powered off; their processes ended and their folders removed."));
        Assert.That(down.Output, Does.Not.Contain("key pair").And.Not.Contain("firewall"), "a local batch has neither");
        Assert.That(batch.LiveNodeProcesses(), Is.Empty);
    }

    private async Task AssertStillRunsAsync()
    {
        var status = await batch.RunAsync("status", "busy");
        Assert.That(status.Output, Does.Match(@"0000\s+t3\.micro\s+local-\w+\s+(running|queued)"), status.ToString());
        Assert.That(batch.LiveNodeProcesses(), Is.Not.Empty);
    }
}
