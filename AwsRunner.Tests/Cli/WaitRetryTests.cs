using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using AwsRunner.Tests.Support;

namespace AwsRunner.Tests.Cli;

/// <summary>
/// <c>dispatch --wait</c> retrying rows on the local cloud: exactly the rows due, each at most 1 + --max-retries times,
/// from what the batch was created with, and never at the cost of an attempt that is still at work.
/// </summary>
public sealed class WaitRetryTests
{
    private LocalBatch batch = null!;

    [SetUp]
    public void SetUp() => batch = new LocalBatch();

    [TearDown]
    public void TearDown() => batch.Dispose();

    [Test]
    public async Task Status_SecondAttemptRunningTenMinutesAfterTheFirstAttemptsResult_LeavesItsNodeAlone()
    {
        batch.Write("project/jobs.csv", "instance_type,command\nt3.micro,test $AWSRUNNER_ATTEMPT -gt 1 || exit 3; sleep 300\n");
        string[] dispatch = ["dispatch", "local", "longretry", "project/jobs.csv", "--cloud", "local", "--create", "--dispatch", "--wait",
            "--retry-on-exit", "3", "--max-retries", "1", "--heartbeat", "1s"];
        using var waiting = batch.Cli.Start(dispatch);
        try
        {
            await Eventually.WaitAsync(() => File.Exists(batch.Heartbeat("longretry", 0, 2)), TimeSpan.FromSeconds(60), "attempt 2 to start");
            // Attempt 1's result is now eleven minutes old, on the bucket's clock.
            File.SetLastWriteTimeUtc(batch.Object("longretry", "jobs/0000/status.json"), DateTime.UtcNow - TimeSpan.FromMinutes(11));

            Assert.That(await batch.StatesAsync("longretry"), Is.EqualTo(new[] { "running" }));
            Assert.That(await batch.StatesAsync("longretry"), Is.EqualTo(new[] { "running" }), "the first status did not terminate attempt 2's node");
            Assert.That(File.ReadAllText(Path.Combine(batch.NodeOfRow("longretry", 0)!, "rows", "0000", "state")).Trim(), Is.EqualTo("running"));
        }
        finally
        {
            waiting.Kill(entireProcessTree: true);
        }
    }

    [Test]
    public async Task Wait_MaxRetriesOne_RunsEachRowAtMostTwiceAndOnlyTheRowsDue()
    {
        var runs = batch.Path("runs");
        // Row 0 loses its node each time (it powers it off mid-job); row 1 fails later than row 0's second attempt is
        // lost, so that its retry round comes when row 0 has no retries left.
        batch.Write("project/jobs.csv",
            "instance_type,command\n" +
            $"t3.micro,echo $AWSRUNNER_INDEX >> {runs}; bash ../../poweroff.sh; sleep 60\n" +
            $"t3.micro,echo $AWSRUNNER_INDEX >> {runs}; sleep 8; exit 3\n");

        var run = await batch.Cli.RunAsync(TimeSpan.FromMinutes(3), "dispatch", "local", "limited", "project/jobs.csv", "--cloud", "local",
            "--create", "--dispatch", "--wait", "--retry-on-exit", "3", "--max-retries", "1", "--heartbeat", "1s");

        Assert.That(run.ExitCode, Is.EqualTo(3), "a row was lost: " + run);
        Assert.That(File.ReadAllLines(runs).Order(), Is.EqualTo(new[] { "0", "0", "1", "1" }), run.ToString());
        var job = await JobAsync("limited", 0);
        Assert.That((job.GetProperty("state").GetString(), job.GetProperty("attempt").GetInt32()), Is.EqualTo(("lost", 2)));
        Assert.That(job.GetProperty("earlier_attempts").EnumerateArray().Select(a => a.GetProperty("state").GetString()), Is.EqualTo(new[] { "lost" }));
    }

    [Test]
    public async Task Wait_NodeWhoseInstallFailed_IsNotReinstalled_AndItsRowsRunOnTheOtherNode()
    {
        var runs = batch.Path("runs");
        var installs = batch.Path("installs");
        var failedOnce = batch.Path("install-failed-once");
        // The first node to install fails; every later install would succeed.
        batch.Write("install.sh", $"echo x >> {installs}\nmkdir {failedOnce} 2>/dev/null && exit 5\ntrue\n");
        batch.Write("project/jobs.csv",
            "instance_type,command\n" +
            $"t3.micro,echo $AWSRUNNER_INDEX >> {runs}; sleep 1; exit 3\n" +
            $"t3.micro,echo $AWSRUNNER_INDEX >> {runs}; sleep 1; exit 3\n");

        var run = await batch.Cli.RunAsync(TimeSpan.FromMinutes(3), "dispatch", "local", "badinstall", "project/jobs.csv", "--cloud", "local",
            "--install", "install.sh", "--create", "--dispatch", "--wait", "--retry-on-exit", "3", "--max-retries", "2");

        Assert.That(await batch.StatesAsync("badinstall"), Is.EqualTo(new[] { "failed", "failed" }), run.ToString());
        Assert.That(File.ReadAllLines(installs), Has.Length.EqualTo(2), "the node whose install failed was not replaced: two installs in all\n" + run);
        Assert.That(File.ReadAllLines(runs).Order(), Is.EqualTo(new[] { "0", "0", "0", "1", "1", "1" }), "each row ran its three attempts, on the node that installed");
        foreach (var index in new[] { 0, 1 })
        {
            var job = await JobAsync("badinstall", index);
            Assert.That(job.GetProperty("earlier_attempts").EnumerateArray().Select(a => (a.GetProperty("state").GetString(), a.GetProperty("exit_code").GetInt32())),
                Is.EqualTo(new[] { ("failed", 3), ("failed", 3) }), "every attempt in the history ran, and ended as it did");
        }
    }

    [Test]
    public async Task Wait_JobFileAndCodeEditedMidBatch_RetryRunsTheCodeTheBatchWasCreatedWith()
    {
        var go = batch.Path("go");
        batch.Write("project/version.txt", "v1\n");
        batch.Write("project/jobs.csv", $"instance_type,command\nt3.micro,cat version.txt; test $AWSRUNNER_ATTEMPT -gt 1 && exit 0; until [ -e {go} ]; do sleep 0.2; done; exit 3\n");
        string[] dispatch = ["dispatch", "local", "edited", "project/jobs.csv", "--cloud", "local", "--create", "--dispatch", "--wait",
            "--retry-on-exit", "3", "--heartbeat", "1s"];
        using var waiting = batch.Cli.Start(dispatch);
        await Eventually.WaitAsync(() => File.Exists(batch.Heartbeat("edited", 0)), TimeSpan.FromSeconds(60), "attempt 1 to start");

        batch.Write("project/version.txt", "v2\n");
        batch.Write("project/jobs.csv", "instance_type,command\nt3.micro,echo something else\n");
        batch.Write("go", "");
        var run = await AwsRunnerCli.FinishAsync(waiting, TimeSpan.FromMinutes(2), dispatch);

        Assert.That(run.ExitCode, Is.Zero, run.ToString());
        await batch.RunAsync("fetch", "edited", "out");
        Assert.That(File.ReadAllText(batch.Path("out", "0000", "job.log")), Is.EqualTo("v1\n"), "attempt 2 ran the batch's own code and command");
    }

    [Test]
    public async Task Wait_NodeHungMidJob_IsTerminatedAndItsRowRetried()
    {
        // Attempt 1 kills its own runner (heartbeat and all) and sleeps on: a node that is up but silent.
        batch.Write("project/jobs.csv",
            "instance_type,command\n" +
            "t3.micro,test $AWSRUNNER_ATTEMPT -gt 1 && echo recovered && exit 0; pkill -KILL -s $(cat ../awsrunner/work.pid); sleep 300\n");

        var run = await batch.Cli.RunAsync(TimeSpan.FromSeconds(100), "dispatch", "local", "hungwait", "project/jobs.csv", "--cloud", "local",
            "--create", "--dispatch", "--wait", "--heartbeat", "1s");

        Assert.That(run.ExitCode, Is.Zero, run.ToString());
        await batch.RunAsync("fetch", "hungwait", "out");
        Assert.That(File.ReadAllText(batch.Path("out", "0000", "job.log")), Is.EqualTo("recovered\n"));
        var job = await JobAsync("hungwait", 0);
        Assert.That(job.GetProperty("earlier_attempts")[0].GetProperty("state").GetString(), Is.EqualTo("hung"));
        await Eventually.WaitAsync(() => batch.LiveNodeProcesses().Count == 0, TimeSpan.FromSeconds(10), "the hung node to be gone");
    }

    [Test]
    public async Task CtrlC_WhileAWaitReplacesALostNode_SaysHowToResumeAndHowToTakeTheBatchDown()
    {
        var installed = batch.Path("installed-once");
        var replacing = batch.Path("replacing");
        // The first node powers itself off mid-job; its replacement installs for ever, so that the Ctrl-C lands while
        // the wait creates it.
        batch.Write("install.sh", $"if [ -e {installed} ]; then touch {replacing}; sleep 300; fi\ntouch {installed}\n");
        batch.Write("project/jobs.csv", "instance_type,command\nt3.micro,bash ../../poweroff.sh; sleep 60\n");
        string[] dispatch = ["dispatch", "local", "cutshort", "project/jobs.csv", "--cloud", "local", "--install", "install.sh",
            "--create", "--dispatch", "--wait", "--heartbeat", "1s"];
        using var waiting = batch.Cli.Start(dispatch);
        await Eventually.WaitAsync(() => File.Exists(replacing), TimeSpan.FromSeconds(60), "the replacement node to install");

        Process.Start("kill", ["-INT", waiting.Id.ToString(CultureInfo.InvariantCulture)])!.WaitForExit();
        var run = await AwsRunnerCli.FinishAsync(waiting, TimeSpan.FromSeconds(90), dispatch);

        Assert.That(run.ExitCode, Is.EqualTo(130), run.ToString());
        Assert.That(run.Error, Does.Contain("resume (adopts what exists, launches only what is missing): awsrunner dispatch local cutshort"));
        Assert.That(run.Error, Does.Contain("or remove it all: awsrunner down cutshort"));
        Assert.That(run.Error, Does.Not.Contain("the jobs go on"));
    }

    private async Task<JsonElement> JobAsync(string name, int index)
    {
        var run = await batch.RunAsync("status", name, "--json");
        using var document = JsonDocument.Parse(run.Output);
        return document.RootElement.GetProperty("jobs")[index].Clone();
    }
}
