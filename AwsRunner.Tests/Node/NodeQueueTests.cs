using System.Text.Json;
using AwsRunner.Core.Node;
using AwsRunner.Tests.Support;

namespace AwsRunner.Tests.Node;

/// <summary>
/// The queue from the node's side, on the local bucket (file:// URLs): claims by exclusive create, the walk from the
/// node's first row, the slow path's LIST (leases on the bucket's clock, .done markers asking for another attempt),
/// and nodes racing over one queue.
/// </summary>
public sealed class NodeQueueTests
{
    private readonly List<RunnerNode> nodes = [];

    private RunnerNode Node => nodes[0];

    [SetUp]
    public void SetUp() => nodes.Add(new RunnerNode());

    [TearDown]
    public void TearDown()
    {
        foreach (var node in nodes)
        {
            node.Dispose();
        }

        nodes.Clear();
    }

    [Test]
    public async Task Work_ThreeNodesOfTwoSlotsRacingOverOneQueue_RunEveryRowExactlyOnce()
    {
        const int Rows = 40;
        var ran = Path.Combine(Node.Bucket, "ran");
        nodes.Add(new RunnerNode(Node.Bucket, "i-0second"));
        nodes.Add(new RunnerNode(Node.Bucket, "i-0third"));
        // Every node starts its walk at the same row: each claim is raced for.
        var rows = Enumerable.Range(0, Rows).Select(i => new QueueRow(i, $"echo $AWSRUNNER_INDEX >> {ShellQuote.Quote(ran)}") { Attempts = [1, 2] }).ToList();
        foreach (var node in nodes)
        {
            await node.InstallAsync();
            node.WriteQueue(rows, env => env.Set("AWSRUNNER_SLOTS", "2"));
        }

        await Task.WhenAll(nodes.Select(n => n.StartWorkAsync()));
        foreach (var node in nodes)
        {
            await node.WaitPoweredOffAsync(TimeSpan.FromSeconds(60));
        }

        var claims = Directory.GetFiles(Node.QueueRows, "*.claim", SearchOption.AllDirectories);
        Assert.Multiple(() =>
        {
            Assert.That(File.ReadAllLines(ran).Select(int.Parse).Order(), Is.EqualTo(Enumerable.Range(0, Rows)), "each row ran once");
            Assert.That(claims.Select(Path.GetFileName), Is.All.EqualTo("1.claim"), "no second attempt was claimed");
            Assert.That(claims, Has.Length.EqualTo(Rows));
            Assert.That(Enumerable.Range(0, Rows).Select(i => Node.Done(i)), Is.All.EqualTo("done 0"));
            Assert.That(claims.Select(File.ReadAllText), Is.All.Match("^node=i-0(test|second|third) slot=[12]$"));
            foreach (var node in nodes)
            {
                Assert.That(Directory.GetDirectories(Path.Combine(node.Runner, "rows")).Where(f => Directory.EnumerateFileSystemEntries(f).Any()).Select(Path.GetFileName).Order(),
                    Is.EqualTo(claims.Where(c => File.ReadAllText(c).StartsWith($"node={node.Id} ", StringComparison.Ordinal))
                        .Select(c => Path.GetFileName(Path.GetDirectoryName(c))).Order()),
                    $"{node.Id} keeps files for the rows it ran only");
            }
        });
    }

    [Test]
    public async Task Work_WalkStartsAtTheNodesFirstRow_AndWraps()
    {
        await Node.InstallAsync();
        Node.WriteQueue(Enumerable.Range(0, 4).Select(i => new QueueRow(i * 10, "true")).ToList(), env => env.Set("AWSRUNNER_FIRST", "2"));

        await Node.StartWorkAsync();
        await Node.WaitPoweredOffAsync();

        var order = File.ReadAllLines(Path.Combine(Node.Runner, "runner.log"))
            .Where(l => l.Contains(" slot 1: row ", StringComparison.Ordinal))
            .Select(l => l.Split(' ')[4].TrimEnd(','));
        Assert.That(order, Is.EqualTo(new[] { "0020", "0030", "0000", "0010" }));
    }

    [TestCase(true, TestName = "Work_StaleHeartbeat_AnotherNodeClaimsTheNextAttempt")]
    [TestCase(false, TestName = "Work_StaleClaimWithoutHeartbeat_AnotherNodeClaimsTheNextAttempt")]
    public async Task Work_StaleLease_AnotherNodeClaimsTheNextAttempt(bool beat)
    {
        await Node.InstallAsync();
        Node.WriteQueue([new QueueRow(RunnerNode.Row, "echo attempt $AWSRUNNER_ATTEMPT") { Attempts = [1, 2, 3] }], env => env.Set("AWSRUNNER_LEASE_SECONDS", "10"));
        // A node that claimed attempt 1 and then was lost: no beat for longer than the lease.
        Node.Leave(RunnerNode.Row, 1, "claim", "node=i-0lost slot=1", TimeSpan.FromMinutes(5));
        if (beat)
        {
            Node.Leave(RunnerNode.Row, 1, "heartbeat.json", "{}", TimeSpan.FromSeconds(20));
        }

        await Node.StartWorkAsync();
        await Node.WaitPoweredOffAsync();

        Assert.That(Node.Done(attempt: 1), Is.Null, "the lost attempt stays as it was");
        Assert.That(Node.Done(attempt: 2), Is.EqualTo("done 0"));
        Assert.That(File.ReadAllText(Node.QueueObject(RunnerNode.Row, 2, "claim")), Is.EqualTo("node=i-0test slot=1"));
        Assert.That(File.ReadAllText(Path.Combine(Node.Jobs(RunnerNode.Row, 2), "job.log")), Is.EqualTo("attempt 2\n"));
        Assert.That(File.Exists(Node.QueueObject(RunnerNode.Row, 3, "claim")), Is.False);
    }

    [Test]
    public async Task Work_FreshLeaseAndNoIdleTime_TheRowIsLeftToItsNode()
    {
        await Node.InstallAsync();
        Node.WriteQueue([new QueueRow(RunnerNode.Row, "true") { Attempts = [1, 2] }], env => env.Set("AWSRUNNER_LEASE_SECONDS", "30"));
        Node.Leave(RunnerNode.Row, 1, "claim", "node=i-0other slot=1", TimeSpan.FromMinutes(5));
        Node.Leave(RunnerNode.Row, 1, "heartbeat.json", "{}");

        await Node.StartWorkAsync();
        await Node.WaitPoweredOffAsync();

        Assert.That(File.Exists(Node.QueueObject(RunnerNode.Row, 2, "claim")), Is.False);
        Assert.That(Node.RowState(), Is.EqualTo("none"), "this node ran nothing");
    }

    [Test]
    public async Task Work_FreshLeaseWithIdleTime_TheNodeLooksEveryBeat_AndClaimsTheNextAttemptOnceTheLeaseRunsOut()
    {
        await Node.InstallAsync();
        Node.WriteQueue([new QueueRow(RunnerNode.Row, "true") { Attempts = [1, 2] }],
            env => env.Set("AWSRUNNER_LEASE_SECONDS", "3").Set("AWSRUNNER_IDLE_SECONDS", "30"));
        Node.Leave(RunnerNode.Row, 1, "claim", "node=i-0other slot=1", TimeSpan.FromMinutes(5));
        Node.Leave(RunnerNode.Row, 1, "heartbeat.json", "{}");
        var lastBeat = File.GetLastWriteTimeUtc(Node.QueueObject(RunnerNode.Row, 1, "heartbeat.json"));

        await Node.StartWorkAsync();
        await Node.WaitPoweredOffAsync(TimeSpan.FromSeconds(30));

        Assert.That(Node.Done(attempt: 2), Is.EqualTo("done 0"));
        Assert.That(File.GetLastWriteTimeUtc(Node.QueueObject(RunnerNode.Row, 2, "claim")) - lastBeat, Is.GreaterThanOrEqualTo(TimeSpan.FromSeconds(3)),
            "claimed only once the lease ran out");
    }

    [Test]
    public async Task Work_FreshLeaseWithIdleTime_TheNodePowersOffWhenTheIdleTimeIsOver()
    {
        await Node.InstallAsync();
        Node.WriteQueue([new QueueRow(RunnerNode.Row, "true") { Attempts = [1, 2] }],
            env => env.Set("AWSRUNNER_LEASE_SECONDS", "300").Set("AWSRUNNER_IDLE_SECONDS", "2"));
        Node.Leave(RunnerNode.Row, 1, "claim", "node=i-0other slot=1");

        var started = DateTime.UtcNow;
        await Node.StartWorkAsync();
        await Node.WaitPoweredOffAsync();

        Assert.That(DateTime.UtcNow - started, Is.GreaterThanOrEqualTo(TimeSpan.FromSeconds(2)), "it kept looking for its idle time");
        Assert.That(File.Exists(Node.QueueObject(RunnerNode.Row, 2, "claim")), Is.False);
        Assert.That(File.ReadAllText(Path.Combine(Node.Runner, "runner.log")), Does.Contain("slot 1 ends: nothing left to claim"));
    }

    [TestCase("preempted 143")]
    [TestCase(null)]
    public async Task Work_RowOutOfAttempts_StaysAsItEnded(string? done)
    {
        await Node.InstallAsync();
        Node.WriteQueue([new QueueRow(RunnerNode.Row, "true") { Attempts = [2] }], env => env.Set("AWSRUNNER_LEASE_SECONDS", "10"));
        Node.Leave(RunnerNode.Row, 2, "claim", "node=i-0lost slot=1", TimeSpan.FromMinutes(5));
        if (done is not null)
        {
            Node.Leave(RunnerNode.Row, 2, "done", done + "\n");
        }

        await Node.StartWorkAsync();
        await Node.WaitPoweredOffAsync();

        Assert.That(Directory.GetFiles(Path.Combine(Node.QueueRows, "0003")).Select(Path.GetFileName),
            Is.EquivalentTo(done is null ? new[] { "2.claim" } : ["2.claim", "2.done"]), "nothing was claimed or written");
        Assert.That(Node.RowState(), Is.EqualTo("none"));
    }

    [TestCase("preempted 143", "", true)]
    [TestCase("preempted -", "", true)]
    [TestCase("failed 75", "3 75", true)]
    [TestCase("failed 1", "3 75", false)]
    [TestCase("deadline -", "3 75", false)]
    [TestCase("done 0", "3 75", false)]
    public async Task Work_DoneAskingForAnotherAttempt_IsClaimedAgainAtOnce(string done, string retryOnExit, bool again)
    {
        await Node.InstallAsync();
        Node.WriteQueue([new QueueRow(RunnerNode.Row, "echo attempt $AWSRUNNER_ATTEMPT") { Attempts = [1, 2] }],
            env => env.Set("AWSRUNNER_RETRY_ON_EXIT", retryOnExit));
        // Attempt 1 ended on another node a moment ago: its lease is fresh, its .done decides.
        Node.Leave(RunnerNode.Row, 1, "claim", "node=i-0other slot=1");
        Node.Leave(RunnerNode.Row, 1, "heartbeat.json", "{}");
        Node.Leave(RunnerNode.Row, 1, "done", done + "\n");

        await Node.StartWorkAsync();
        await Node.WaitPoweredOffAsync();

        Assert.That(Node.Done(attempt: 2), again ? Is.EqualTo("done 0") : Is.Null);
    }

    [Test]
    public async Task Work_RowEndingWithAnExitCodeWorthARetry_ItsNextAttemptRunsAtOnce()
    {
        await Node.InstallAsync();
        Node.WriteQueue([new QueueRow(RunnerNode.Row, "echo attempt $AWSRUNNER_ATTEMPT; exit $(( AWSRUNNER_ATTEMPT == 1 ? 75 : 0 ))") { Attempts = [1, 2, 3] }],
            env => env.Set("AWSRUNNER_RETRY_ON_EXIT", "75"));

        await Node.StartWorkAsync();
        await Node.WaitPoweredOffAsync();

        Assert.That((Node.Done(attempt: 1), Node.Done(attempt: 2), Node.Done(attempt: 3)), Is.EqualTo(("failed 75", "done 0", (string?)null)));
        Assert.That(File.ReadAllText(Path.Combine(Node.Jobs(RunnerNode.Row, 1), "job.log")), Is.EqualTo("attempt 1\n"));
        Assert.That(File.ReadAllText(Path.Combine(Node.Jobs(RunnerNode.Row, 2), "job.log")), Is.EqualTo("attempt 2\n"));
        using var status = JsonDocument.Parse(File.ReadAllText(Path.Combine(Node.Jobs(RunnerNode.Row, 2), "status.json")));
        Assert.That(status.RootElement.GetProperty("attempt").GetInt32(), Is.EqualTo(2));
    }

    [Test]
    public async Task Deadline_WithTwoSlotsRunning_UploadsBothRowsLogsAndDone_AndClaimsNoOther()
    {
        await Node.InstallAsync();
        Node.WriteQueue(
            [new QueueRow(1, "echo working on 1; sleep 300"), new QueueRow(2, "mkdir -p output; echo partial > output/part.txt; echo working on 2; sleep 300"), new QueueRow(3, "true")],
            env => env.Set("AWSRUNNER_SLOTS", "2"));
        await Node.StartWorkAsync();
        await Node.WaitForLogAsync("working on 1", 1);
        await Node.WaitForLogAsync("working on 2", 2);

        await Node.ArmAsync(TimeSpan.FromSeconds(1));
        await Node.WaitPoweredOffAsync(TimeSpan.FromSeconds(30));

        Assert.Multiple(() =>
        {
            foreach (var row in new[] { 1, 2 })
            {
                Assert.That(Node.Done(row), Is.EqualTo("deadline -"), $"row {row}");
                Assert.That(File.ReadAllText(Path.Combine(Node.Jobs(row), "job.log")), Does.StartWith($"working on {row}\n").And.Contain("dead man's switch"));
                using var status = JsonDocument.Parse(File.ReadAllText(Path.Combine(Node.Jobs(row), "status.json")));
                Assert.That(status.RootElement.GetProperty("state").GetString(), Is.EqualTo("deadline"));
            }

            Assert.That(RunnerNode.ArchiveEntries(File.ReadAllBytes(Path.Combine(Node.Jobs(2), "results.tar.gz"))), Does.ContainKey("output/part.txt"));
            Assert.That(File.Exists(Node.QueueObject(3, 1, "claim")), Is.False, "no row is claimed once the switch fired");
            Assert.That(Node.State, Is.EqualTo("deadline"));
        });
        await Eventually.WaitAsync(() => Node.LiveProcesses().Count == 0, TimeSpan.FromSeconds(10), "the jobs and the runner to be gone");
    }

    [Test]
    public async Task Report_SaysTheRunnersVersionAndTheLastRow_AndLogGivesARowsLog()
    {
        await Node.InstallAsync();
        Node.WriteQueue([new QueueRow(1, "echo first; exit 4"), new QueueRow(2, "echo second")]);

        await Node.StartWorkAsync();
        await Node.WaitPoweredOffAsync();
        var last = await Node.RunnerAsync("report", "5");
        var first = await Node.RunnerAsync("report", "5", "1");
        var log = await Node.RunnerAsync("log", "1");

        Assert.That(last.Output, Does.StartWith($"state=done\nrunner={NodeContract.RunnerVersion}\n").And.Contain("row=0002\nattempt=1\nrow_state=done\nexit_code=0\n"));
        Assert.That(NodeReport.Parse(first.Output), Is.EqualTo(new NodeReport("done", 0, 4, "first")));
        Assert.That(log.Output, Is.EqualTo("first\n"));
    }
}
