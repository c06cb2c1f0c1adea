using System.Text.Json;
using System.Text.RegularExpressions;
using AwsRunner.Tests.Support;

namespace AwsRunner.Tests.Cli;

public sealed class LocalBatchTests
{
    private const string Jobs =
        "instance_type,command,seed\n" +
        "t3.micro,bash job.sh,1\n" +
        "t3.micro,bash job.sh,2\n" +
        "c5.large,\"echo 'going wrong' >&2; exit 5\",3\n" +
        "c5.large,bash job.sh,4\n";

    private const string Job =
        "set -e\nmkdir -p output/deep\n" +
        "printf 'seed=%s index=%s\\n' \"$seed\" \"$AWSRUNNER_INDEX\" > output/result.txt\n" +
        "head -c 300000 /dev/urandom > output/deep/blob.bin\n" +
        "cp output/deep/blob.bin ../blob-$AWSRUNNER_INDEX.bin\n" +
        "echo \"job $seed done\"\n";

    private LocalBatch batch = null!;

    [SetUp]
    public void SetUp()
    {
        batch = new LocalBatch();
        batch.Write("project/jobs.csv", Jobs);
        batch.Write("project/job.sh", Job);
        batch.Write("install.sh", "echo installed on $(hostname)\n");
    }

    [TearDown]
    public void TearDown() => batch.Dispose();

    [Test]
    public async Task WholeBatch_CreateDispatchWaitFetchDown_BringsEveryResultHomeAndLeavesNothingRunning()
    {
        var dispatched = await batch.RunAsync(
            "dispatch", "local", "sweep", "project/jobs.csv", "--cloud", "local", "--install", "install.sh",
            "--create", "--dispatch", "--wait", "--heartbeat", "1s");

        Assert.That(dispatched.ExitCode, Is.EqualTo(1), "one job exits 5, so --wait exits 1\n" + dispatched);
        Assert.That(dispatched.Output, Does.Contain("Batch sweep: 4 of 4 nodes started."));
        Assert.That(dispatched.Output, Does.Contain("done 3  failed 1"));

        var status = await batch.RunAsync("status", "sweep", "--json");
        Assert.That(status.ExitCode, Is.Zero, status.ToString());
        using (var document = JsonDocument.Parse(status.Output))
        {
            var jobs = document.RootElement.GetProperty("jobs").EnumerateArray().ToList();
            Assert.That(jobs.Select(j => j.GetProperty("state").GetString()), Is.EqualTo(new[] { "done", "done", "failed", "done" }));
            Assert.That(jobs[2].GetProperty("exit_code").GetInt32(), Is.EqualTo(5));
        }

        var fetched = await batch.RunAsync("fetch", "sweep", "out");
        Assert.That(fetched.ExitCode, Is.Zero, fetched.ToString());
        Assert.That(fetched.Output, Does.Contain("4 jobs: 3 succeeded, 1 failed, 0 missing."));
        Assert.That(fetched.Output, Does.Contain("failed:  0002 (exit 5)"));
        foreach (var index in new[] { 0, 1, 3 })
        {
            var job = batch.Path("out", $"{index:D4}");
            var node = batch.NodeOfRow("sweep", index)!;
            Assert.That(File.ReadAllText(Path.Combine(job, "output", "result.txt")), Is.EqualTo($"seed={index + 1} index={index}\n"));
            Assert.That(File.ReadAllBytes(Path.Combine(job, "output", "deep", "blob.bin")), Is.EqualTo(File.ReadAllBytes(Path.Combine(node, "..", $"blob-{index}.bin"))));
            Assert.That(File.ReadAllText(Path.Combine(job, "job.log")), Is.EqualTo($"job {index + 1} done\n"));
            using var document = JsonDocument.Parse(File.ReadAllText(Path.Combine(job, "status.json")));
            Assert.That(document.RootElement.GetProperty("exit_code").GetInt32(), Is.Zero);
            Assert.That(document.RootElement.TryGetProperty("started", out _) && document.RootElement.TryGetProperty("finished", out _), Is.True);
        }

        Assert.That(File.ReadAllText(batch.Path("out", "0002", "job.log")), Is.EqualTo("going wrong\n"));

        var again = await batch.RunAsync("fetch", "sweep", "out");
        Assert.That(fetched.Output, Does.Contain(": 4 jobs downloaded (12 objects, "), "the local bucket gives no checksum, so status and log come apart from the archive");
        Assert.That(again.Output, Does.Contain(": 4 jobs already here."));

        var down = await batch.RunAsync("down", "sweep");
        Assert.That(down.ExitCode, Is.Zero, down.ToString());
        Assert.That(batch.LiveNodeProcesses(), Is.Empty);
        Assert.That(Directory.Exists(batch.Path("home", ".local-cloud", "nodes", "sweep")), Is.False);

        var list = await batch.RunAsync("status", "--cloud", "local");
        Assert.That(list.Output, Does.Match(@"sweep\s+local\s+0\s+0\.00\s+4/4"), "the results stay after down");
    }

    [Test]
    public async Task Dispatch_WithoutWait_ReturnsWhileTheJobsGoOnAfterTheCliExits()
    {
        batch.Write("project/jobs.csv", "instance_type,command\nt3.micro,\"sleep 3; echo late\"\n");

        var dispatched = await batch.RunAsync("dispatch", "local", "later", "project/jobs.csv", "--cloud", "local", "--create", "--dispatch", "--heartbeat", "1s");
        Assert.That(dispatched.ExitCode, Is.Zero, dispatched.ToString());
        var running = await batch.RunAsync("status", "later");
        Assert.That(running.Output, Does.Match(@"0000\s+t3\.micro\s+local-\w+\s+(queued|running)"));

        await Eventually.WaitAsync(() => File.Exists(batch.Path("home", ".local-cloud", "buckets", "later", "later", "jobs", "0000", "status.json")), TimeSpan.FromSeconds(30), "the job's status.json");
        var done = await batch.RunAsync("status", "later");
        Assert.That(done.Output, Does.Match(@"0000\s+t3\.micro\s+local-\w+\s+done\s+0"));
        await Eventually.WaitAsync(() => batch.LiveNodeProcesses().Count == 0, TimeSpan.FromSeconds(10), "the node to power itself off");
    }

    [Test]
    public async Task Create_FailingInstallScript_ReportsExitCodeAndLogTailAndTerminatesThatNode()
    {
        batch.Write("install.sh", "echo 'checking gcc'\necho 'gcc: not found' >&2\nexit 4\n");

        var created = await batch.RunAsync("dispatch", "local", "broken", "project/jobs.csv", "--cloud", "local", "--install", "install.sh", "--create");

        Assert.That(created.ExitCode, Is.EqualTo(3), created.ToString());
        Assert.That(created.Output, Does.Contain("job 0000  install-failed").And.Contain("| checking gcc").And.Contain("| gcc: not found"));
        Assert.That(created.Output, Does.Contain("0 of 4 nodes ready; 4 failed: 0000 install-failed (exit 4)"));
        var status = await batch.RunAsync("status", "broken");
        Assert.That(status.Output, Does.Match(@"0000\s+t3\.micro\s+-\s+install-failed"), "no node of its type is left to take the row");
        Assert.That(batch.LiveNodeProcesses(), Is.Empty);
    }

    [Test]
    public async Task InstallFailingOnOneNodeOfMany_ItsRowsRunOnTheOtherNodeOfTheirType()
    {
        batch.Write("install.sh", "case \"$HOME\" in */0002/home) echo 'disk full' >&2; exit 6;; esac\necho ok\n");

        var run = await batch.RunAsync("dispatch", "local", "partial", "project/jobs.csv", "--cloud", "local", "--install", "install.sh", "--create", "--dispatch", "--wait");

        Assert.That(run.ExitCode, Is.EqualTo(1), "every row ran; one job exits 5\n" + run);
        Assert.That(run.Output, Does.Contain("job 0002  install-failed").And.Contain("| disk full"));
        Assert.That(run.Output, Does.Contain("Batch partial: 3 of 4 nodes started; 1 failed: 0002 install-failed (exit 6)"));
        Assert.That(run.Output, Does.Match(@"0000\s+t3\.micro\s+local-\w+\s+done\s+0"));
        var c5 = Regex.Match(run.Output, @"0003\s+c5\.large\s+(local-\w+)\s+done\s+0");
        Assert.That(c5.Success, Is.True, run.ToString());
        Assert.That(run.Output, Does.Match($@"0002\s+c5\.large\s+{c5.Groups[1].Value}\s+failed\s+5"), "row 2 ran on the c5.large node that installed");
        await Eventually.WaitAsync(() => batch.LiveNodeProcesses().Count == 0, TimeSpan.FromSeconds(10), "every node to be gone (the failed one terminated)");
    }

    [Test]
    public async Task Dispatch_NeitherCreateNorDispatch_PrintsThePlanAndCreatesNothing()
    {
        var planned = await batch.RunAsync("dispatch", "local", "plan-only", "project/jobs.csv", "--cloud", "local", "--install", "install.sh");

        Assert.That(planned.ExitCode, Is.Zero, planned.ToString());
        Assert.That(planned.Output, Does.Contain("jobs       4 (c5.large x2, t3.micro x2) from project/jobs.csv"));
        Assert.That(planned.Output, Does.Contain("variables  seed"));
        Assert.That(planned.Output, Does.Contain("Nothing created."));
        Assert.That(Directory.Exists(batch.Home), Is.False);
    }
}
