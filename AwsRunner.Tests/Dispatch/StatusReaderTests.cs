using AwsRunner.Core.Cloud;
using AwsRunner.Core.Dispatch;
using AwsRunner.Core.Ledger;
using AwsRunner.Tests.Support;
using Microsoft.Extensions.Time.Testing;

namespace AwsRunner.Tests.Dispatch;

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
        SaveManifest(dispatched: true, rows: 2);
        AddInstance(0, InstanceState.Terminated);
        AddInstance(1, InstanceState.Running);
        store.Put(Batch, "sweep/jobs/0000/status.json", """{"index":0,"exit_code":0,"started":"2026-01-01T00:00:00Z","finished":"2026-01-01T00:10:00Z"}""");
        store.Put(Batch, "sweep/jobs/0001/status.json", """{"index":1,"exit_code":9,"started":"2026-01-01T00:00:00Z","finished":"2026-01-01T00:00:30Z"}""");

        var status = await reader.ReadAsync(ledger, CancellationToken.None);

        Assert.That(status.Jobs.Select(j => (j.State, j.ExitCode, j.Elapsed)), Is.EqualTo(new[]
        {
            (JobState.Done, (int?)0, (TimeSpan?)TimeSpan.FromMinutes(10)),
            (JobState.Failed, (int?)9, (TimeSpan?)TimeSpan.FromSeconds(30)),
        }));
        Assert.That(status.Finished, Is.True);
    }

    [Test]
    public async Task Read_StatusJsonWithAResultsErrorOrStoppedByTheSwitch_IsFailedOrDeadlineNotDone()
    {
        SaveManifest(dispatched: true, rows: 2);
        AddInstance(0, InstanceState.Terminated);
        AddInstance(1, InstanceState.Terminated);
        store.Put(Batch, "sweep/jobs/0000/status.json", """{"index":0,"exit_code":0,"started":"2026-01-01T00:00:00Z","finished":"2026-01-01T00:10:00Z","results_error":"tar: output/x: Cannot open: Permission denied"}""");
        store.Put(Batch, "sweep/jobs/0001/status.json", """{"index":1,"exit_code":null,"started":"2026-01-01T00:00:00Z","finished":"2026-01-02T00:00:00Z","state":"deadline"}""");

        var status = await reader.ReadAsync(ledger, CancellationToken.None);

        Assert.That(status.Jobs.Select(j => (j.State, j.ExitCode)), Is.EqualTo(new[] { (JobState.Failed, (int?)0), (JobState.Deadline, (int?)null) }));
    }

    [Test]
    public async Task Read_StatusJsonThatDoesNotParse_IsUnreadableAndFinalNamingIt_NeverLostNorDueForARetry()
    {
        SaveManifest(dispatched: true, rows: 2);
        AddInstance(0, InstanceState.Terminated);
        AddInstance(1, InstanceState.Terminated);
        // What a runner wrote that cut a UTF-8 character in half, and a document cut short.
        await store.PutAsync(Batch, "sweep/jobs/0000/status.json", (byte[])[.. "{\"index\":0,\"exit_code\":0,\"results_error\":\"tar: caf"u8, 0xC3, .. "\"}"u8], CancellationToken.None);
        store.Put(Batch, "sweep/jobs/0001/status.json", """{"index":1,"exit_co""");

        var status = await reader.ReadAsync(ledger, CancellationToken.None);

        Assert.Multiple(() =>
        {
            Assert.That(status.Jobs.Select(j => (j.State, j.UnreadableStatus)), Is.EqualTo(new[]
            {
                (JobState.Unreadable, "mem://sweep/sweep/jobs/0000/status.json"),
                (JobState.Unreadable, "mem://sweep/sweep/jobs/0001/status.json"),
            }));
            Assert.That(status.Finished, Is.True);
            Assert.That(status.Jobs.Where(j => j.State.IsRetryable(j.ExitCode, [0, 1, 3])), Is.Empty, "no wait retries it");
            Assert.That(status.Jobs.Where(j => j.State.IsFinal() && !j.State.HasOutcome()), Is.Empty, "no re-run launches it again");
        });
    }

    [Test]
    public async Task Read_UploadFailedHeartbeat_IsNotFinalAndCarriesTheUploadAndPowerOffErrors()
    {
        SaveManifest(dispatched: true);
        AddInstance(0, InstanceState.Running);
        store.Put(Batch, "sweep/jobs/0000/heartbeat.json",
            $$"""{"time":"{{time.GetUtcNow():O}}","state":"upload-failed","index":0,"started":"{{time.GetUtcNow():O}}","progress":"","upload_error":"curl: (22) The requested URL returned error: 403\n","poweroff_error":"sudo: a password is required"}""");

        var status = await reader.ReadAsync(ledger, CancellationToken.None);

        Assert.Multiple(() =>
        {
            Assert.That(status.Jobs[0].State, Is.EqualTo(JobState.UploadFailed));
            Assert.That(status.Jobs[0].UploadError, Is.EqualTo("curl: (22) The requested URL returned error: 403"));
            Assert.That(status.Jobs[0].PowerOffError, Is.EqualTo("sudo: a password is required"));
            Assert.That(status.Finished, Is.False, "the node still holds its results and retries");
        });
    }

    [Test]
    public async Task Read_UploadFailedNodeGoneOrSilent_IsLostOrHung()
    {
        SaveManifest(dispatched: true, rows: 2);
        AddInstance(0, InstanceState.Terminated);
        AddInstance(1, InstanceState.Running);
        Heartbeat(0, "upload-failed");
        Heartbeat(1, "upload-failed");

        time.Advance(TimeSpan.FromMinutes(4));
        var status = await reader.ReadAsync(ledger, CancellationToken.None);

        Assert.That(status.Jobs.Select(j => j.State), Is.EqualTo(new[] { JobState.Lost, JobState.Hung }));
    }

    [Test]
    public async Task Read_InstanceLaunchedOnDemandBecauseSpotWasRefused_SaysWhy()
    {
        SaveManifest(dispatched: true, rows: 2);
        cloud.Instances.Add(new NodeInstance(Batch, 0, "i-0", "c5.large", InstanceState.Running, "198.51.100.7", time.GetUtcNow(), Spot: true));
        cloud.Instances.Add(new NodeInstance(Batch, 1, "i-1", "c5.large", InstanceState.Running, "198.51.100.8", time.GetUtcNow(), SpotRefusal: "InsufficientInstanceCapacity"));

        var status = await reader.ReadAsync(ledger, CancellationToken.None);

        Assert.That(status.Jobs.Select(j => j.SpotRefusal), Is.EqualTo(new[] { null, "InsufficientInstanceCapacity" }));
    }

    [Test]
    public async Task Read_InstanceGoneWithoutAResult_IsLost()
    {
        SaveManifest(dispatched: true);
        AddInstance(0, InstanceState.Terminated);
        Heartbeat(0, "running");

        var status = await reader.ReadAsync(ledger, CancellationToken.None);

        Assert.That(status.Jobs[0].State, Is.EqualTo(JobState.Lost));
    }

    [Test]
    public async Task Read_HeartbeatStoppedWhileTheInstanceRuns_IsHungAfterThreePeriods()
    {
        SaveManifest(dispatched: true);
        AddInstance(0, InstanceState.Running);
        Heartbeat(0, "running");

        time.Advance(TimeSpan.FromSeconds(3 * 60));
        var early = await reader.ReadAsync(ledger, CancellationToken.None);
        time.Advance(TimeSpan.FromSeconds(31));
        var late = await reader.ReadAsync(ledger, CancellationToken.None);

        Assert.That(early.Jobs[0].State, Is.EqualTo(JobState.Running));
        Assert.That(late.Jobs[0].State, Is.EqualTo(JobState.Hung));
    }

    [Test]
    public async Task Read_DispatchedButNoHeartbeatYet_IsStartingThenHung()
    {
        SaveManifest(dispatched: true);
        AddInstance(0, InstanceState.Running);

        var starting = await reader.ReadAsync(ledger, CancellationToken.None);
        time.Advance(TimeSpan.FromMinutes(4));
        var hung = await reader.ReadAsync(ledger, CancellationToken.None);

        Assert.That(starting.Jobs[0].State, Is.EqualTo(JobState.Starting));
        Assert.That(hung.Jobs[0].State, Is.EqualTo(JobState.Hung));
    }

    [TestCase("queued", JobState.Queued)]
    [TestCase("running", JobState.Running)]
    [TestCase("uploading", JobState.Uploading)]
    [TestCase("upload-failed", JobState.UploadFailed)]
    public async Task Read_FreshHeartbeat_GivesTheNodesState(string state, JobState expected)
    {
        SaveManifest(dispatched: true);
        AddInstance(0, InstanceState.Running);
        Heartbeat(0, state, progress: "epoch 3/10");

        var job = (await reader.ReadAsync(ledger, CancellationToken.None)).Jobs[0];

        Assert.That(job.State, Is.EqualTo(expected));
        Assert.That(job.Progress, Is.EqualTo("epoch 3/10"));
        Assert.That(job.LastHeartbeat, Is.EqualTo(time.GetUtcNow()));
    }

    [TestCase("ready", InstanceState.Running, JobState.Ready)]
    [TestCase("install-failed", InstanceState.Terminated, JobState.InstallFailed)]
    [TestCase(null, InstanceState.Pending, JobState.Launching)]
    [TestCase("ready", InstanceState.Terminated, JobState.Lost)]
    public async Task Read_BeforeDispatch_FollowsCreatesOutcome(string? install, InstanceState instance, JobState expected)
    {
        SaveManifest(dispatched: false, install: install);
        AddInstance(0, instance);

        var job = (await reader.ReadAsync(ledger, CancellationToken.None)).Jobs[0];

        Assert.That(job.State, Is.EqualTo(expected));
    }

    [Test]
    public async Task Read_Repeatedly_GetsEachStatusJsonOnceAndAHeartbeatOnlyWhenItChanged()
    {
        SaveManifest(dispatched: true, rows: 2);
        AddInstance(0, InstanceState.Running);
        AddInstance(1, InstanceState.Running);
        store.Put(Batch, "sweep/jobs/0000/status.json", """{"index":0,"exit_code":0}""");
        Heartbeat(1, "running");

        await reader.ReadAsync(ledger, CancellationToken.None);
        await reader.ReadAsync(ledger, CancellationToken.None);
        var fresh = new StatusReader(new CloudConnection("fake", cloud, null!, store), home.Path);
        await fresh.ReadAsync(ledger, CancellationToken.None);
        Heartbeat(1, "uploading");
        var last = await reader.ReadAsync(ledger, CancellationToken.None);

        Assert.That(store.Gets["sweep/jobs/0000/status.json"], Is.EqualTo(1), "status.json is kept on disk once read");
        Assert.That(store.Gets["sweep/jobs/0001/heartbeat.json"], Is.EqualTo(3), "once per reader, then once when it changed");
        Assert.That(last.Jobs[1].State, Is.EqualTo(JobState.Uploading));
        Assert.That(cloud.DescribeCalls, Is.EqualTo(4), "one describe call for the whole batch per read");
    }

    [Test]
    public async Task Status_LaptopClockTenMinutesFast_FreshHeartbeatIsRunningNotHung()
    {
        SaveManifest(dispatched: true);
        AddInstance(0, InstanceState.Running);
        Heartbeat(0, "running");
        var laptop = new FakeTimeProvider();
        laptop.Advance(time.GetUtcNow() - laptop.GetUtcNow() + TimeSpan.FromMinutes(10));

        var status = await (await Runner(laptop).OpenAsync(Batch)).GetStatusAsync();

        Assert.That(status.Jobs[0].State, Is.EqualTo(JobState.Running));
        Assert.That(status.ReadAt, Is.EqualTo(time.GetUtcNow()), "read on the bucket's clock");
    }

    [Test]
    public async Task Status_InstancePastItsDeadline_IsTerminatedAndSaidSo()
    {
        SaveManifest(dispatched: true, rows: 2);
        // Max-hours 1: the deadline is launch + 1 h + the upload allowance.
        cloud.Instances.Add(new NodeInstance(Batch, 0, "i-0", "c5.large", InstanceState.Running, "198.51.100.7", time.GetUtcNow() - TimeSpan.FromHours(1) - NodeDeadline.UploadAllowance - TimeSpan.FromMinutes(1)));
        cloud.Instances.Add(new NodeInstance(Batch, 1, "i-1", "c5.large", InstanceState.Running, "198.51.100.8", time.GetUtcNow() - TimeSpan.FromHours(1) - NodeDeadline.UploadAllowance + TimeSpan.FromMinutes(1)));
        Heartbeat(0, "running");
        Heartbeat(1, "running");

        var status = await (await Runner(time).OpenAsync(Batch)).GetStatusAsync();

        Assert.That(status.Overstaying, Is.EqualTo(new[] { new OverstayingNode("i-0", 0, OverstayReason.PastDeadline) }));
        Assert.That(cloud.Terminated, Is.EqualTo(new[] { "i-0" }));
    }

    [Test]
    public async Task Status_NodeStillRunningTenMinutesAfterItsResult_IsTerminatedAndSaidSo()
    {
        SaveManifest(dispatched: true, rows: 2);
        AddInstance(0, InstanceState.Running);
        AddInstance(1, InstanceState.Running);
        store.Put(Batch, "sweep/jobs/0000/status.json", """{"index":0,"exit_code":0}""");
        time.Advance(Overstays.AfterResult - TimeSpan.FromSeconds(30));
        store.Put(Batch, "sweep/jobs/0001/status.json", """{"index":1,"exit_code":0}""");
        time.Advance(TimeSpan.FromMinutes(1));

        var status = await (await Runner(time).OpenAsync(Batch)).GetStatusAsync();

        Assert.That(status.Jobs.Select(j => j.State), Is.EqualTo(new[] { JobState.Done, JobState.Done }));
        Assert.That(status.Overstaying, Is.EqualTo(new[] { new OverstayingNode("i-0", 0, OverstayReason.RunningAfterResult) }));
        Assert.That(cloud.Terminated, Is.EqualTo(new[] { "i-0" }));
    }

    [Test]
    public async Task Status_SecondAttemptRunningLongAfterTheFirstAttemptsResult_ItsNodeIsLeftAlone()
    {
        var launched = time.GetUtcNow();
        ledger = await TestLedgers.StoreAsync(store, TestLedgers.Rows(Batch, 1, launched)
            .WithAttempts(0, new LedgerAttempt { Number = 1, Node = "i-old", Ended = "failed", ExitCode = 3 }, new LedgerAttempt { Number = 2, Node = "i-0", DispatchedAt = launched })
            .WithNodes(TestLedgers.Node("i-old", launched), TestLedgers.Node("i-0", launched)));
        cloud.Instances.Add(new NodeInstance(Batch, 0, "i-old", "c5.large", InstanceState.Terminated, null, launched));
        AddInstance(0, InstanceState.Running);
        store.Put(Batch, "sweep/jobs/0000/status.json", """{"index":0,"exit_code":3}""");
        time.Advance(Overstays.AfterResult + TimeSpan.FromMinutes(20));
        store.Put(Batch, "sweep/jobs/0000/attempt-2/heartbeat.json", $$"""{"state":"running","index":0,"started":"{{launched:O}}"}""");

        var status = await (await Runner(time).OpenAsync(Batch)).GetStatusAsync();

        Assert.That((status.Jobs[0].State, status.Jobs[0].Attempt), Is.EqualTo((JobState.Running, 2)));
        Assert.That(status.Overstaying, Is.Empty);
        Assert.That(cloud.Terminated, Is.Empty, "attempt 1's result says nothing of attempt 2's node");
    }

    [Test]
    public async Task Status_NodeGoneAfterItsResult_IsNotTerminatedAgain()
    {
        SaveManifest(dispatched: true);
        AddInstance(0, InstanceState.Terminated);
        store.Put(Batch, "sweep/jobs/0000/status.json", """{"index":0,"exit_code":0}""");
        time.Advance(TimeSpan.FromHours(3));

        var status = await (await Runner(time).OpenAsync(Batch)).GetStatusAsync();

        Assert.That(status.Overstaying, Is.Empty);
        Assert.That(cloud.Terminated, Is.Empty);
    }

    private BatchRunner Runner(TimeProvider laptop) => new(new CloudConnection("fake", cloud, null!, store), home.Path, time: laptop);

    private void SaveManifest(bool dispatched, int rows = 1, string? install = "ready")
    {
        var document = TestLedgers.Rows(Batch, rows, time.GetUtcNow(), TestLedgers.Settings(maxHours: 1));
        document = document with
        {
            Rows = document.Rows.Select(r => r.WithCurrent(new LedgerAttempt { Number = 1, Node = $"i-{r.Index}", DispatchedAt = dispatched ? time.GetUtcNow() : null })).ToList(),
            Nodes = document.Rows.Select(r => TestLedgers.Node($"i-{r.Index}", time.GetUtcNow(), install!) with { Install = install }).ToList(),
        };
        ledger = TestLedgers.StoreAsync(store, document).GetAwaiter().GetResult();
    }

    private void AddInstance(int index, InstanceState state) =>
        cloud.Instances.Add(new NodeInstance(Batch, index, $"i-{index}", "c5.large", state, "198.51.100.7", time.GetUtcNow()));

    private void Heartbeat(int index, string state, string progress = "") =>
        store.Put(Batch, $"sweep/jobs/{index:D4}/heartbeat.json",
            $$"""{"time":"{{time.GetUtcNow():O}}","state":"{{state}}","index":{{index}},"started":"{{time.GetUtcNow():O}}","progress":"{{progress}}"}""");
}
