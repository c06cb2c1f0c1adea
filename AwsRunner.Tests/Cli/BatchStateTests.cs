using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using AwsRunner.Tests.Support;

namespace AwsRunner.Tests.Cli;

/// <summary>
/// The batch's state on the local cloud, from the commands a user runs: what a batch was created with holds for its
/// running nodes, <c>down</c> is final, two dispatchers share the batch, and damaged files on this machine are survived.
/// </summary>
public sealed class BatchStateTests
{
    private LocalBatch batch = null!;

    [SetUp]
    public void SetUp() => batch = new LocalBatch();

    [TearDown]
    public void TearDown() => batch.Dispose();

    [Test]
    public async Task Down_DuringWait_EndsTheWaitWithOneLineAndRelaunchesNothing()
    {
        batch.Write("project/jobs.csv", "instance_type,command\nt3.micro,sleep 300\nt3.micro,sleep 300\n");
        string[] dispatch = ["dispatch", "local", "stopped", "project/jobs.csv", "--cloud", "local", "--create", "--dispatch", "--wait", "--heartbeat", "1s"];
        using var waiting = batch.Cli.Start(dispatch);
        await Eventually.WaitAsync(
            () => File.Exists(batch.Heartbeat("stopped", 0)) && File.Exists(batch.Heartbeat("stopped", 1)),
            TimeSpan.FromSeconds(60),
            "both jobs to start");

        var down = await batch.RunAsync("down", "stopped", "--yes");
        var waited = await AwsRunnerCli.FinishAsync(waiting, TimeSpan.FromSeconds(60), dispatch);

        Assert.That(down.ExitCode, Is.Zero, down.ToString());
        Assert.That(waited.ExitCode, Is.EqualTo(3), waited.ToString());
        Assert.That(waited.Error, Does.Contain("awsrunner: batch stopped was taken down"), waited.ToString());
        Assert.That(Directory.Exists(batch.Path("home", ".local-cloud", "nodes", "stopped")), Is.False, "no node was launched after down");
        Assert.That(batch.LiveNodeProcesses(), Is.Empty);
        Assert.That(await batch.StatesAsync("stopped"), Is.EqualTo(new[] { "taken-down", "taken-down" }));
    }

    [Test]
    public async Task Dispatch_CreateAfterDown_StartsAfreshAndSaysSo()
    {
        batch.Write("project/jobs.csv", "instance_type,command\nt3.micro,echo $AWSRUNNER_ATTEMPT\n");
        string[] dispatch = ["dispatch", "local", "again", "project/jobs.csv", "--cloud", "local", "--create", "--dispatch", "--wait"];
        Assert.That((await batch.RunAsync(dispatch)).ExitCode, Is.Zero);
        Assert.That((await batch.RunAsync("down", "again", "--yes")).ExitCode, Is.Zero);

        var afresh = await batch.RunAsync(dispatch);

        Assert.That(afresh.ExitCode, Is.Zero, afresh.ToString());
        Assert.That(afresh.Output, Does.Contain("Batch again was taken down earlier; starting it afresh"));
        Assert.That(await batch.StatesAsync("again"), Is.EqualTo(new[] { "done" }));
    }

    [Test]
    public async Task ReRun_WithoutMaxHours_KeepsTheBatchsSoAThirtyHourOldNodeOfA72HourBatchLives()
    {
        batch.Write("project/jobs.csv", "instance_type,command\nt3.micro,sleep 300\n");
        Assert.That((await batch.RunAsync("dispatch", "local", "longrun", "project/jobs.csv", "--cloud", "local", "--create", "--dispatch", "--max-hours", "72")).ExitCode, Is.Zero);
        await Eventually.WaitAsync(() => File.Exists(batch.Heartbeat("longrun", 0)), TimeSpan.FromSeconds(60), "the job to start");
        // The node was launched 30 hours ago, as far as the cloud says.
        var instance = Path.Combine(Path.GetDirectoryName(batch.Node("longrun", 0))!, "..", "instance.json");
        var record = JsonNode.Parse(File.ReadAllText(instance))!;
        record["launched"] = DateTimeOffset.UtcNow.AddHours(-30).ToString("O", CultureInfo.InvariantCulture);
        File.WriteAllText(instance, record.ToJsonString());

        var rerun = await batch.RunAsync("dispatch", "local", "longrun", "project/jobs.csv", "--cloud", "local", "--create", "--dispatch");

        Assert.That(rerun.ExitCode, Is.Zero, rerun.ToString());
        Assert.That(await batch.StatesAsync("longrun"), Is.EqualTo(new[] { "running" }));
        Assert.That(await batch.StatesAsync("longrun"), Is.EqualTo(new[] { "running" }), "the status before did not terminate the node");
    }

    [Test]
    public async Task ReRun_WithAnotherHeartbeat_IsRefusedAndTheRunningNodeIsStillJudgedByItsOwn()
    {
        batch.Write("project/jobs.csv", "instance_type,command\nt3.micro,sleep 300\n");
        Assert.That((await batch.RunAsync("dispatch", "local", "beats", "project/jobs.csv", "--cloud", "local", "--create", "--dispatch")).ExitCode, Is.Zero);
        var heartbeat = batch.Heartbeat("beats", 0);
        await Eventually.WaitAsync(() => File.Exists(heartbeat), TimeSpan.FromSeconds(60), "the job to start");

        var rerun = await batch.RunAsync("dispatch", "local", "beats", "project/jobs.csv", "--cloud", "local", "--create", "--dispatch", "--heartbeat", "1s");
        // Its last heartbeat is 20 s old: well within the minute it beats at.
        File.SetLastWriteTimeUtc(heartbeat, DateTime.UtcNow - TimeSpan.FromSeconds(20));

        Assert.That(rerun.ExitCode, Is.EqualTo(2), rerun.ToString());
        Assert.That(rerun.Error.Trim(), Is.EqualTo(
            "awsrunner: --heartbeat 1s: batch \"beats\" was created with a heartbeat of 60s, which its nodes keep; leave --heartbeat out, or give the new jobs a new NAME"));
        Assert.That(await batch.StatesAsync("beats"), Is.EqualTo(new[] { "running" }));
    }

    [Test]
    public async Task TwoDispatchesWithWait_AtOnce_RunEveryRowExactlyOnce()
    {
        var runs = batch.Path("runs");
        batch.Write("project/jobs.csv",
            "instance_type,command\n" + string.Concat(Enumerable.Range(0, 4).Select(_ => $"t3.micro,echo $AWSRUNNER_INDEX >> {runs}; sleep 1\n")));
        string[] dispatch = ["dispatch", "local", "twice", "project/jobs.csv", "--cloud", "local", "--create", "--dispatch", "--wait"];

        using var first = batch.Cli.Start(dispatch);
        using var second = batch.Cli.Start(dispatch);
        var one = await AwsRunnerCli.FinishAsync(first, TimeSpan.FromMinutes(2), dispatch);
        var two = await AwsRunnerCli.FinishAsync(second, TimeSpan.FromMinutes(2), dispatch);

        Assert.That((one.ExitCode, two.ExitCode), Is.EqualTo((0, 0)), one + "\n" + two);
        Assert.That(File.ReadAllLines(runs).Order(), Is.EqualTo(new[] { "0", "1", "2", "3" }), one + "\n" + two);
        Assert.That(await batch.StatesAsync("twice"), Is.EqualTo(Enumerable.Repeat("done", 4)));
    }

    [Test]
    public async Task Fetch_AfterARetry_HoldsOnlyTheCurrentAttemptBesideTheEarlierOnesFolder()
    {
        batch.Write("project/jobs.csv",
            "instance_type,command\nt3.micro,mkdir -p output; echo $AWSRUNNER_ATTEMPT > output/part-$AWSRUNNER_ATTEMPT.txt; test $AWSRUNNER_ATTEMPT -gt 1 || exit 3\n");
        string[] dispatch = ["dispatch", "local", "twoparts", "project/jobs.csv", "--cloud", "local", "--create", "--dispatch", "--wait"];
        Assert.That((await batch.RunAsync([.. dispatch, "--max-retries", "0"])).ExitCode, Is.EqualTo(1));
        await batch.RunAsync("fetch", "twoparts", "out");
        Assert.That(File.Exists(batch.Path("out", "0000", "output", "part-1.txt")), Is.True);

        var retried = await batch.RunAsync([.. dispatch, "--retry-on-exit", "3"]);
        await batch.RunAsync("fetch", "twoparts", "out");

        Assert.That(retried.ExitCode, Is.Zero, retried.ToString());
        Assert.That(Directory.GetFiles(batch.Path("out", "0000", "output")).Select(Path.GetFileName), Is.EqualTo(new[] { "part-2.txt" }));
        Assert.That(File.ReadAllText(batch.Path("out", "0000", "attempt-1", "output", "part-1.txt")), Is.EqualTo("1\n"));
    }

    [Test]
    public async Task Status_CachedStatusFileEmptied_IsReadAgainFromTheBucket()
    {
        batch.Write("project/jobs.csv", "instance_type,command\nt3.micro,true\n");
        Assert.That((await batch.RunAsync("dispatch", "local", "cached", "project/jobs.csv", "--cloud", "local", "--create", "--dispatch", "--wait")).ExitCode, Is.Zero);
        Assert.That(await batch.StatesAsync("cached"), Is.EqualTo(new[] { "done" }));
        var cached = Directory.GetFiles(batch.Path("home", "cached"), "*.status.json", SearchOption.AllDirectories);
        Assert.That(cached, Is.Not.Empty, "status keeps a copy of each status.json");
        foreach (var file in cached)
        {
            File.WriteAllText(file, "");
        }

        Assert.That(await batch.StatesAsync("cached"), Is.EqualTo(new[] { "done" }));
    }

    [Test]
    public async Task BatchRecordEmptied_StatusNamesItAndListsTheOthers_AndDownStillWorks()
    {
        batch.Write("project/jobs.csv", "instance_type,command\nt3.micro,true\n");
        foreach (var name in new[] { "broken", "intact" })
        {
            Assert.That((await batch.RunAsync("dispatch", "local", name, "project/jobs.csv", "--cloud", "local", "--create", "--dispatch", "--wait")).ExitCode, Is.Zero);
        }

        var record = batch.Path("home", "broken", "batch.json");
        File.WriteAllText(record, "");

        var list = await batch.RunAsync("status", "--cloud", "local");
        var down = await batch.RunAsync("down", "broken", "--cloud", "local", "--yes");

        Assert.That(list.ExitCode, Is.Zero, list.ToString());
        Assert.That(list.Output, Does.Match(@"intact\s+local"));
        Assert.That(list.Error.Trim(), Is.EqualTo($"awsrunner: {record}: not a batch record (it is empty); its batch is left out"));
        Assert.That(down.ExitCode, Is.Zero, down.ToString());
        Assert.That(down.Output, Does.Contain("Batch broken: 0 local nodes powered off"));
    }
}
