using System.Diagnostics;
using System.Text.Json;
using AwsRunner.Core.Node;
using AwsRunner.Tests.Support;

namespace AwsRunner.Tests.Cli;

public sealed class LostNodeTests
{
    private LocalBatch batch = null!;

    [SetUp]
    public void SetUp() => batch = new LocalBatch();

    [TearDown]
    public void TearDown() => batch.Dispose();

    [Test]
    public async Task NodeDiesMidJob_StatusSaysLost_AndRetryLostRerunsJustThatRowOnAFreshNode()
    {
        var marker = batch.Path("attempted");
        batch.Write("project/jobs.csv",
            "instance_type,command\n" +
            "t3.micro,echo steady\n" +
            $"t3.micro,\"if [ -e {marker} ]; then echo second try; else touch {marker}; sleep 300; fi\"\n");
        string[] dispatch = ["dispatch", "local", "fragile", "project/jobs.csv", "--cloud", "local", "--create", "--dispatch", "--heartbeat", "1s"];
        Assert.That((await batch.RunAsync(dispatch)).ExitCode, Is.Zero);
        await Eventually.WaitAsync(() => File.Exists(marker), TimeSpan.FromSeconds(30), "job 1 to start");
        var firstResult = await WaitForStatusJsonAsync(0);

        // The node dies: its instance is terminated with its processes, nothing uploaded.
        var node = batch.NodeOfRow("fragile", 1)!;
        Process.Start("bash", [Path.Combine(node, "..", "..", "poweroff.sh")])!.WaitForExit();
        var lost = await batch.RunAsync("status", "fragile", "--json");
        Assert.That(States(lost), Is.EqualTo(new[] { "done", "queued" }), "its next attempt waits for a node\n" + lost);
        Assert.That(EarlierStates(lost, 1), Is.EqualTo(new[] { "lost" }), lost.ToString());

        var retried = await batch.RunAsync([.. dispatch.Where(a => a is not ("--create" or "--dispatch")), "--retry-lost", "--wait"]);

        Assert.That(retried.ExitCode, Is.Zero, retried.ToString());
        Assert.That(retried.Output, Does.Contain("1 of 2 nodes started, 1 jobs finished in an earlier run"));
        Assert.That(States(await batch.RunAsync("status", "fragile", "--json")), Is.EqualTo(new[] { "done", "done" }));
        await batch.RunAsync("fetch", "fragile", "out");
        Assert.That(File.ReadAllText(batch.Path("out", "0001", "job.log")), Is.EqualTo("second try\n"));
        Assert.That(await WaitForStatusJsonAsync(0), Is.EqualTo(firstResult), "the finished job did not run again");
        await Eventually.WaitAsync(() => batch.LiveNodeProcesses().Count == 0, TimeSpan.FromSeconds(10), "every node to power off");
    }

    [Test]
    public async Task NodeHungWithItsInstanceUp_IsReportedHungAfterThreeHeartbeats_AndRetryLostReplacesIt()
    {
        var marker = batch.Path("attempted");
        batch.Write("project/jobs.csv", $"instance_type,command\nt3.micro,\"if [ -e {marker} ]; then echo recovered; else touch {marker}; sleep 300; fi\"\n");
        string[] dispatch = ["dispatch", "local", "stalled", "project/jobs.csv", "--cloud", "local", "--create", "--dispatch", "--heartbeat", "1s"];
        Assert.That((await batch.RunAsync(dispatch)).ExitCode, Is.Zero);
        await Eventually.WaitAsync(() => File.Exists(marker), TimeSpan.FromSeconds(30), "the job to start");

        // The runner and its heartbeat die, the instance stays up: a hung node.
        var runner = int.Parse(File.ReadAllText(Path.Combine(batch.NodeOfRow("stalled", 0)!, NodeRunnerScript.WorkPidFile)), System.Globalization.CultureInfo.InvariantCulture);
        Process.Start("pkill", ["-KILL", "-s", runner.ToString(System.Globalization.CultureInfo.InvariantCulture)])!.WaitForExit();
        var watch = Stopwatch.StartNew();
        await Eventually.WaitAsync(
            () => States(batch.RunAsync("status", "stalled", "--json").GetAwaiter().GetResult()).Single(),
            state => state == "hung",
            TimeSpan.FromSeconds(40),
            "the job to be reported hung");
        Assert.That(watch.Elapsed, Is.LessThan(TimeSpan.FromSeconds(25)), "3 heartbeats of 1s and 10s of slack");

        var retried = await batch.RunAsync([.. dispatch, "--retry-lost", "--wait"]);

        Assert.That(retried.ExitCode, Is.Zero, retried.ToString());
        await batch.RunAsync("fetch", "stalled", "out");
        Assert.That(File.ReadAllText(batch.Path("out", "0000", "job.log")), Is.EqualTo("recovered\n"));
        await Eventually.WaitAsync(() => batch.LiveNodeProcesses().Count == 0, TimeSpan.FromSeconds(10), "every node to be gone");
    }

    [Test]
    public async Task JobPastItsTimeout_IsStoppedAndItsLogStillReachesTheBucket()
    {
        batch.Write("project/jobs.csv", "instance_type,command\nt3.micro,\"echo begun; sleep 300\"\n");

        var run = await batch.RunAsync("dispatch", "local", "slowpoke", "project/jobs.csv", "--cloud", "local", "--create", "--dispatch", "--wait", "--timeout", "2s", "--heartbeat", "1s");

        Assert.That(run.ExitCode, Is.EqualTo(1), run.ToString());
        await batch.RunAsync("fetch", "slowpoke", "out");
        Assert.That(File.ReadAllText(batch.Path("out", "0000", "job.log")), Is.EqualTo("begun\nawsrunner: the job was stopped after its timeout of 2s\n"));
        await Eventually.WaitAsync(() => batch.LiveNodeProcesses().Count == 0, TimeSpan.FromSeconds(10), "the node to power itself off");
    }

    private async Task<string> WaitForStatusJsonAsync(int index)
    {
        var path = batch.Path("home", ".local-cloud", "buckets", "fragile", "fragile", "jobs", $"{index:D4}", "status.json");
        await Eventually.WaitAsync(() => File.Exists(path), TimeSpan.FromSeconds(30), $"job {index}'s status.json");
        return File.ReadAllText(path);
    }

    private static List<string> EarlierStates(CliRun status, int index)
    {
        using var document = JsonDocument.Parse(status.Output);
        return document.RootElement.GetProperty("jobs")[index].GetProperty("earlier_attempts").EnumerateArray().Select(a => a.GetProperty("state").GetString()!).ToList();
    }

    private static List<string> States(CliRun status)
    {
        using var document = JsonDocument.Parse(status.Output);
        return document.RootElement.GetProperty("jobs").EnumerateArray().Select(j => j.GetProperty("state").GetString()!).ToList();
    }
}
