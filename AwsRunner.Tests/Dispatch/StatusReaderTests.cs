using AwsRunner.Core.Cloud;
using AwsRunner.Core.Dispatch;
using AwsRunner.Core.Ledger;
using AwsRunner.Tests.Support;
using Microsoft.Extensions.Time.Testing;

namespace AwsRunner.Tests.Dispatch;

/// <summary>Where each row stands, from the ledger, the queue's claims and heartbeats, the jobs' objects and the cloud.</summary>
public sealed class StatusReaderTests
{
    private const string Batch = "sweep";
    private readonly FakeTimeProvider time = new();
    private FakeCloud cloud = null!;
    private MemoryResultStore store = null!;
    private TempFolder home = null!;
    private StatusReader reader = null!;
    private BatchLedger ledger = null!;

    [SetUp]
    public void SetUp()
    {
        cloud = new FakeCloud();
        store = new MemoryResultStore(time);
        home = new TempFolder();
        reader = new StatusReader(new CloudConnection("fake", cloud, null!, store), home.Path);
    }

    [TearDown]
    public void TearDown() => home.Dispose();

    [Test]
    public async Task Read_StatusJson_GivesDoneOrFailedWithExitCodeWhateverTheInstance()
    {
        Save(rows: 2);
        AddInstance(0, InstanceState.Terminated);
        AddInstance(1, InstanceState.Running);
        Claimed(0, 1);
        Claimed(1, 1);
        store.Status(Batch, 0, 1, "i-0", """{"index":0,"exit_code":0,"started":"2026-01-01T00:00:00Z","finished":"2026-01-01T00:10:00Z"}""");
        store.Status(Batch, 1, 1, "i-1", """{"index":1,"exit_code":9,"started":"2026-01-01T00:00:00Z","finished":"2026-01-01T00:00:30Z"}""");

        var status = await ReadAsync();

        Assert.That(status.Jobs.Select(j => (j.State, j.ExitCode, j.Elapsed, j.InstanceId)), Is.EqualTo(new[]
        {
            (JobState.Done, (int?)0, (TimeSpan?)TimeSpan.FromMinutes(10), "i-0"),
            (JobState.Failed, (int?)9, (TimeSpan?)TimeSpan.FromSeconds(30), "i-1"),
        }));
        Assert.That(status.Finished, Is.True);
    }

    [Test]
    public async Task Read_StatusJsonWithAResultsErrorOrStoppedByTheSwitch_IsFailedOrDeadlineNotDone()
    {
        Save(rows: 2);
        Claimed(0, 1);
        Claimed(1, 1);
        store.Status(Batch, 0, 1, "i-0", """{"index":0,"exit_code":0,"started":"2026-01-01T00:00:00Z","finished":"2026-01-01T00:10:00Z","results_error":"tar: output/x: Cannot open: Permission denied"}""");
        store.Status(Batch, 1, 1, "i-1", """{"index":1,"exit_code":null,"started":"2026-01-01T00:00:00Z","finished":"2026-01-02T00:00:00Z","state":"deadline"}""");

        var status = await ReadAsync();

        Assert.That(status.Jobs.Select(j => (j.State, j.ExitCode)), Is.EqualTo(new[] { (JobState.Failed, (int?)0), (JobState.Deadline, (int?)null) }));
    }

    [Test]
    public async Task Read_StatusJsonThatDoesNotParse_IsUnreadableAndFinalNamingIt_NeverLostNorDueForARetry()
    {
        Save(rows: 2);
        Claimed(0, 1);
        Claimed(1, 1);
        // What a runner wrote that cut a UTF-8 character in half, and a document cut short.
        await store.PutAsync(Batch, "sweep/jobs/0000/status.json", (byte[])[.. "{\"index\":0,\"exit_code\":0,\"results_error\":\"tar: caf"u8, 0xC3, .. "\"}"u8], CancellationToken.None);
        store.Put(Batch, "sweep/jobs/0001/status.json", """{"index":1,"exit_co""");

        var status = await ReadAsync();

        Assert.Multiple(() =>
        {
            Assert.That(status.Jobs.Select(j => (j.State, j.UnreadableStatus)), Is.EqualTo(new[]
            {
                (JobState.Unreadable, "mem://sweep/sweep/jobs/0000/status.json"),
                (JobState.Unreadable, "mem://sweep/sweep/jobs/0001/status.json"),
            }));
            Assert.That(status.Finished, Is.True);
            Assert.That(status.Jobs.Where(j => j.State.IsRetryable(j.ExitCode, [0, 1, 3])), Is.Empty, "no node takes it again");
            Assert.That(status.Jobs.Where(j => j.State.IsFinal() && !j.State.HasOutcome()), Is.Empty, "no re-run asks for it again");
        });
    }

    [Test]
    public async Task Read_UploadFailedHeartbeat_IsNotFinalAndCarriesTheUploadAndPowerOffErrors()
    {
        Save();
        AddInstance(0, InstanceState.Running);
        Claimed(0, 1);
        store.Put(Batch, ResultKeys.QueueHeartbeat(Batch, 0, 1),
            $$"""{"time":"{{time.GetUtcNow():O}}","state":"upload-failed","index":0,"node":"i-0","started":"{{time.GetUtcNow():O}}","progress":"","upload_error":"curl: (22) The requested URL returned error: 403\n","poweroff_error":"sudo: a password is required"}""");

        var status = await ReadAsync();

        Assert.Multiple(() =>
        {
            Assert.That(status.Jobs[0].State, Is.EqualTo(JobState.UploadFailed));
            Assert.That(status.Jobs[0].UploadError, Is.EqualTo("curl: (22) The requested URL returned error: 403"));
            Assert.That(status.Jobs[0].PowerOffError, Is.EqualTo("sudo: a password is required"));
            Assert.That(status.Finished, Is.False, "the node still holds its results and retries");
        });
    }

    [Test]
    public async Task Read_UploadFailedNodeGoneOrSilent_IsLostOrHung_AndItsNextAttemptQueued()
    {
        Save(rows: 2, attempts: 1);
        AddInstance(0, InstanceState.Terminated);
        AddInstance(1, InstanceState.Running);
        Claimed(0, 1);
        Claimed(1, 1);
        store.Beat(Batch, 0, 1, "i-0", "upload-failed", time.GetUtcNow());
        store.Beat(Batch, 1, 1, "i-1", "upload-failed", time.GetUtcNow());

        time.Advance(TimeSpan.FromMinutes(4));
        var status = await ReadAsync();

        Assert.That(status.Jobs.Select(j => j.State), Is.EqualTo(new[] { JobState.Lost, JobState.Hung }), "one attempt a row: nothing to take over");
    }

    [Test]
    public async Task Read_FreshHeartbeatOfANodeThatIsGone_IsLostAtOnce()
    {
        Save(attempts: 1);
        AddInstance(0, InstanceState.Terminated);
        Claimed(0, 1);
        store.Beat(Batch, 0, 1, "i-0", "running", time.GetUtcNow());

        time.Advance(TimeSpan.FromSeconds(5));
        var job = (await ReadAsync()).Jobs[0];

        Assert.That(job.State, Is.EqualTo(JobState.Lost), "its node was terminated a beat after it said running");
    }

    [Test]
    public async Task Read_AttemptOfANodeGivenUpOnAsHung_StaysHungInTheRowsHistory()
    {
        Save(rows: 1, attempts: 3);
        AddInstance(0, InstanceState.Running);
        Claimed(0, 1);
        store.Beat(Batch, 0, 1, "i-0", "running", time.GetUtcNow());
        time.Advance(TimeSpan.FromMinutes(7));
        await ledger.ChangeAsync(d => d.GivenUp(["i-0"], time.GetUtcNow()), CancellationToken.None);
        cloud.Instances[0] = cloud.Instances[0] with { State = InstanceState.Terminated };
        var given = (await ReadAsync()).Jobs[0];
        Claimed(0, 2, "i-1");

        var job = (await ReadAsync()).Jobs[0];

        Assert.That((given.State, given.Attempt), Is.EqualTo((JobState.Queued, 2)), "its node is gone: the next attempt waits for a node");
        Assert.That(given.EarlierAttempts.Select(a => a.State), Is.EqualTo(new[] { JobState.Hung }), "its node was given up on, not lost");
        Assert.That(job.EarlierAttempts.Select(a => (a.Attempt, a.State)), Is.EqualTo(new[] { (1, JobState.Hung) }));
    }

    [Test]
    public async Task Read_AttemptLostWithAttemptsLeft_IsQueuedForTheNext_SayingHowTheLastEnded()
    {
        Save(rows: 1, attempts: 3);
        AddInstance(0, InstanceState.Terminated);
        Claimed(0, 1);
        store.Beat(Batch, 0, 1, "i-0", "running", time.GetUtcNow());

        time.Advance(TimeSpan.FromMinutes(4));
        var job = (await ReadAsync()).Jobs[0];

        Assert.That((job.State, job.Attempt), Is.EqualTo((JobState.Queued, 2)), "a node takes attempt 2 once attempt 1's lease lapsed");
        Assert.That(job.EarlierAttempts.Select(a => (a.Attempt, a.State, a.InstanceId)), Is.EqualTo(new[] { (1, JobState.Lost, (string?)"i-0") }));
    }

    [Test]
    public async Task Read_InstanceLaunchedOnDemandBecauseSpotWasRefused_SaysWhy()
    {
        Save(rows: 2);
        cloud.Instances.Add(new NodeInstance(Batch, 0, "i-0", "c5.large", InstanceState.Running, "198.51.100.7", time.GetUtcNow(), Spot: true));
        cloud.Instances.Add(new NodeInstance(Batch, 1, "i-1", "c5.large", InstanceState.Running, "198.51.100.8", time.GetUtcNow(), SpotRefusal: "InsufficientInstanceCapacity"));
        Claimed(0, 1);
        Claimed(1, 1);
        store.Beat(Batch, 0, 1, "i-0", "running", time.GetUtcNow());
        store.Beat(Batch, 1, 1, "i-1", "running", time.GetUtcNow());

        var status = await ReadAsync();

        Assert.That(status.Jobs.Select(j => j.SpotRefusal), Is.EqualTo(new[] { null, "InsufficientInstanceCapacity" }));
    }

    [Test]
    public async Task Read_HeartbeatStoppedWhileTheInstanceRuns_IsHungAfterThreePeriods()
    {
        Save(attempts: 1);
        AddInstance(0, InstanceState.Running);
        Claimed(0, 1);
        store.Beat(Batch, 0, 1, "i-0", "running", time.GetUtcNow());

        time.Advance(TimeSpan.FromSeconds(3 * 60));
        var early = await ReadAsync();
        time.Advance(TimeSpan.FromSeconds(31));
        var late = await ReadAsync();

        Assert.That(early.Jobs[0].State, Is.EqualTo(JobState.Running));
        Assert.That(late.Jobs[0].State, Is.EqualTo(JobState.Hung));
    }

    [Test]
    public async Task Read_ClaimedButNoHeartbeatYet_IsStartingThenLost()
    {
        Save(attempts: 1);
        AddInstance(0, InstanceState.Running);
        Claimed(0, 1);

        var starting = await ReadAsync();
        time.Advance(TimeSpan.FromMinutes(4));
        var lost = await ReadAsync();

        Assert.That(starting.Jobs[0].State, Is.EqualTo(JobState.Starting));
        Assert.That(lost.Jobs[0].State, Is.EqualTo(JobState.Lost), "a claim whose node never beat: no node is known to hold it");
    }

    [TestCase("queued", JobState.Queued)]
    [TestCase("running", JobState.Running)]
    [TestCase("uploading", JobState.Uploading)]
    [TestCase("upload-failed", JobState.UploadFailed)]
    public async Task Read_FreshHeartbeat_GivesTheNodesState(string state, JobState expected)
    {
        Save();
        AddInstance(0, InstanceState.Running);
        Claimed(0, 1);
        store.Beat(Batch, 0, 1, "i-0", state, time.GetUtcNow(), progress: "epoch 3/10");

        var job = (await ReadAsync()).Jobs[0];

        Assert.That((job.State, job.InstanceId, job.Instance), Is.EqualTo((expected, "i-0", (InstanceState?)InstanceState.Running)));
        Assert.That(job.Progress, Is.EqualTo("epoch 3/10"));
        Assert.That(job.LastHeartbeat, Is.EqualTo(time.GetUtcNow()));
    }

    [Test]
    public async Task Read_BeforeAnyClaim_IsPendingUntilPublishedThenQueued_OrItsTypesInstallFailureWhenNoNodeIsLeft()
    {
        ledger = await TestLedgers.StoreAsync(store, TestLedgers.Rows(Batch, 1, time.GetUtcNow()));
        var pending = (await ReadAsync()).Jobs[0].State;
        ledger = await TestLedgers.StoreAsync(store, TestLedgers.Rows(Batch, 1, time.GetUtcNow()).Published().WithNodes(time.GetUtcNow()));
        AddInstance(0, InstanceState.Running);
        var queued = (await ReadAsync()).Jobs[0].State;
        var failed = TestLedgers.Rows(Batch, 1, time.GetUtcNow()).Published().WithNodes(time.GetUtcNow());
        ledger = await TestLedgers.StoreAsync(store, failed with { Nodes = failed.Nodes.Select(n => n with { Install = "install-failed" }).ToList() });
        cloud.Instances.Clear();
        AddInstance(0, InstanceState.Terminated);
        var dead = (await ReadAsync()).Jobs[0].State;

        Assert.That((pending, queued, dead), Is.EqualTo((JobState.Pending, JobState.Queued, JobState.InstallFailed)));
    }

    [Test]
    public async Task Read_Repeatedly_GetsEachStatusJsonOnceAndAHeartbeatOnlyWhenItChanged()
    {
        Save(rows: 2);
        AddInstance(0, InstanceState.Running);
        AddInstance(1, InstanceState.Running);
        Claimed(0, 1);
        Claimed(1, 1);
        store.Status(Batch, 0, 1, "i-0", """{"index":0,"exit_code":0}""");
        store.Beat(Batch, 1, 1, "i-1", "running", time.GetUtcNow());

        await ReadAsync();
        await ReadAsync();
        var fresh = new StatusReader(new CloudConnection("fake", cloud, null!, store), home.Path);
        await fresh.ReadAsync(ledger, CancellationToken.None);
        store.Beat(Batch, 1, 1, "i-1", "uploading", time.GetUtcNow());
        var last = await ReadAsync();

        Assert.That(store.Gets["sweep/jobs/0000/status.json"], Is.EqualTo(1), "status.json is kept on disk once read");
        Assert.That(store.Gets["sweep/queue/rows/0001/1.heartbeat.json"], Is.EqualTo(3), "once per reader, then once when it changed");
        Assert.That(last.Jobs[1].State, Is.EqualTo(JobState.Uploading));
        Assert.That(cloud.DescribeCalls, Is.EqualTo(4), "one describe call for the whole batch per read");
    }

    [Test]
    public async Task Status_LaptopClockTenMinutesFast_FreshHeartbeatIsRunningNotHung()
    {
        Save();
        AddInstance(0, InstanceState.Running);
        Claimed(0, 1);
        store.Beat(Batch, 0, 1, "i-0", "running", time.GetUtcNow());
        var laptop = new FakeTimeProvider();
        laptop.Advance(time.GetUtcNow() - laptop.GetUtcNow() + TimeSpan.FromMinutes(10));

        var status = await (await Runner(laptop).OpenAsync(Batch)).GetStatusAsync();

        Assert.That(status.Jobs[0].State, Is.EqualTo(JobState.Running));
        Assert.That(status.ReadAt, Is.EqualTo(time.GetUtcNow()), "read on the bucket's clock");
    }

    [Test]
    public async Task Status_InstancePastItsDeadline_IsTerminatedAndSaidSo()
    {
        Save(rows: 2);
        // Max-hours 1: the deadline is launch + 1 h + the upload allowance.
        cloud.Instances.Add(new NodeInstance(Batch, 0, "i-0", "c5.large", InstanceState.Running, "198.51.100.7", time.GetUtcNow() - TimeSpan.FromHours(1) - NodeDeadline.UploadAllowance - TimeSpan.FromMinutes(1)));
        cloud.Instances.Add(new NodeInstance(Batch, 1, "i-1", "c5.large", InstanceState.Running, "198.51.100.8", time.GetUtcNow() - TimeSpan.FromHours(1) - NodeDeadline.UploadAllowance + TimeSpan.FromMinutes(1)));
        Claimed(0, 1);
        Claimed(1, 1);
        store.Beat(Batch, 0, 1, "i-0", "running", time.GetUtcNow());
        store.Beat(Batch, 1, 1, "i-1", "running", time.GetUtcNow());

        var status = await (await Runner(time).OpenAsync(Batch)).GetStatusAsync();

        Assert.That(status.Overstaying.Select(n => (n.InstanceId, n.JobIndex, n.Reason)), Is.EqualTo(new[] { ("i-0", 0, OverstayReason.PastDeadline) }));
        Assert.That(cloud.Terminated, Is.EqualTo(new[] { "i-0" }));
    }

    [Test]
    public async Task Status_NodesStillRunningTenMinutesAfterTheLastResultOfTheirType_AreTerminatedAndSaidSo()
    {
        Save(rows: 2);
        AddInstance(0, InstanceState.Running);
        AddInstance(1, InstanceState.Running);
        Claimed(0, 1);
        Claimed(1, 1);
        store.Status(Batch, 0, 1, "i-0", """{"index":0,"exit_code":0}""");
        time.Advance(Overstays.AfterResult - TimeSpan.FromSeconds(30));
        store.Status(Batch, 1, 1, "i-1", """{"index":1,"exit_code":0}""");
        time.Advance(TimeSpan.FromMinutes(1));
        var early = await (await Runner(time).OpenAsync(Batch)).GetStatusAsync();
        time.Advance(Overstays.AfterResult);

        var status = await (await Runner(time).OpenAsync(Batch)).GetStatusAsync();

        Assert.That(early.Overstaying, Is.Empty, "a node may take a row of its type until the last of them ended");
        Assert.That(status.Jobs.Select(j => j.State), Is.EqualTo(new[] { JobState.Done, JobState.Done }));
        Assert.That(status.Overstaying.Select(n => (n.InstanceId, n.Reason)), Is.EqualTo(new[] { ("i-0", OverstayReason.RunningAfterResult), ("i-1", OverstayReason.RunningAfterResult) }));
        Assert.That(cloud.Terminated, Is.EquivalentTo(new[] { "i-0", "i-1" }));
    }

    [Test]
    public async Task Status_SecondAttemptRunningLongAfterTheFirstAttemptsResult_ItsNodeIsLeftAlone()
    {
        Save(rows: 1, retryOnExit: [3]);
        AddInstance(0, InstanceState.Running);
        Claimed(0, 1);
        store.Status(Batch, 0, 1, "i-0", """{"index":0,"exit_code":3}""");
        Claimed(0, 2);
        time.Advance(Overstays.AfterResult + TimeSpan.FromMinutes(20));
        store.Beat(Batch, 0, 2, "i-0", "running", time.GetUtcNow());

        var status = await (await Runner(time).OpenAsync(Batch)).GetStatusAsync();

        Assert.That((status.Jobs[0].State, status.Jobs[0].Attempt), Is.EqualTo((JobState.Running, 2)));
        Assert.That(status.Jobs[0].EarlierAttempts.Select(a => (a.Attempt, a.State, a.ExitCode)), Is.EqualTo(new[] { (1, JobState.Failed, (int?)3) }));
        Assert.That(status.Overstaying, Is.Empty);
        Assert.That(cloud.Terminated, Is.Empty, "attempt 1's result says nothing of attempt 2's node");
    }

    [Test]
    public async Task Status_NodeGoneAfterItsResult_IsNotTerminatedAgain()
    {
        Save();
        AddInstance(0, InstanceState.Terminated);
        Claimed(0, 1);
        store.Status(Batch, 0, 1, "i-0", """{"index":0,"exit_code":0}""");
        time.Advance(TimeSpan.FromHours(3));

        var status = await (await Runner(time).OpenAsync(Batch)).GetStatusAsync();

        Assert.That(status.Overstaying, Is.Empty);
        Assert.That(cloud.Terminated, Is.Empty);
    }

    [Test]
    public async Task Read_NodesOfAQueue_SayWhatEachRunsAndHowManyItFinished()
    {
        Save(rows: 3);
        AddInstance(0, InstanceState.Running);
        Claimed(0, 1, "i-0");
        Claimed(1, 1, "i-0");
        Claimed(2, 1, "i-0");
        store.Status(Batch, 0, 1, "i-0", """{"index":0,"exit_code":0}""");
        store.Status(Batch, 1, 1, "i-0", """{"index":1,"exit_code":2}""");
        store.Beat(Batch, 2, 1, "i-0", "running", time.GetUtcNow());

        var node = (await ReadAsync()).Nodes.Single(n => n.InstanceId == "i-0");

        Assert.That((node.Running, node.Finished, node.Instance), Is.EqualTo((new[] { 2 }, 2, (InstanceState?)InstanceState.Running)));
    }

    private Task<BatchStatus> ReadAsync() => reader.ReadAsync(ledger, CancellationToken.None);

    private BatchRunner Runner(TimeProvider laptop) => new(new CloudConnection("fake", cloud, null!, store), home.Path, time: laptop);

    private void Save(int rows = 1, int attempts = 3, IReadOnlyList<int>? retryOnExit = null) =>
        ledger = TestLedgers.StoreAsync(store,
            TestLedgers.Rows(Batch, rows, time.GetUtcNow(), TestLedgers.Settings(maxHours: 1)).Published(attempts, retryOnExit).WithNodes(time.GetUtcNow()))
            .GetAwaiter().GetResult();

    private void Claimed(int row, int attempt, string? node = null) => store.Claim(Batch, row, attempt, node ?? $"i-{row}");

    private void AddInstance(int index, InstanceState state) =>
        cloud.Instances.Add(new NodeInstance(Batch, index, $"i-{index}", "c5.large", state, "198.51.100.7", time.GetUtcNow()));
}
