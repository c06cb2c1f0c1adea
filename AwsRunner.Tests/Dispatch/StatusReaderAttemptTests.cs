using Microsoft.Extensions.Time.Testing;
using AwsRunner.Core.Cloud;
using AwsRunner.Core.Dispatch;
using AwsRunner.Tests.Support;

namespace AwsRunner.Tests.Dispatch;

/// <summary>Status of rows that were retried: each attempt has its own prefix, and the row shows the one it is on.</summary>
public sealed class StatusReaderAttemptTests
{
    private const string Batch = "sweep";
    private readonly FakeTimeProvider time = new();
    private MemoryResultStore store = null!;
    private TempFolder home = null!;
    private StatusReader reader = null!;

    [SetUp]
    public void SetUp()
    {
        var cloud = new FakeCloud();
        cloud.Instances.Add(new NodeInstance(Batch, 0, "i-0", "c5.large", InstanceState.Terminated, null, time.GetUtcNow()));
        store = new MemoryResultStore(time);
        home = new TempFolder();
        reader = new StatusReader(new CloudConnection("fake", cloud, null!, store), home.Path);
    }

    [TearDown]
    public void TearDown() => home.Dispose();

    [Test]
    public async Task Read_StatusJsonSaysPreempted_IsPreemptedWithItsExitCode()
    {
        await SaveManifestAsync(null);
        store.Put(Batch, "sweep/jobs/0000/status.json", """{"index":0,"exit_code":143,"state":"preempted"}""");

        var job = (await reader.ReadAsync(Batch, Batch, CancellationToken.None)).Jobs[0];

        Assert.That((job.State, job.ExitCode, job.Attempt, job.EarlierAttempts.Count), Is.EqualTo((JobState.Preempted, (int?)143, 1, 0)));
    }

    [Test]
    public async Task Read_RowOnItsSecondAttempt_ReadsThatAttemptsObjectsAndTellsHowTheFirstEnded()
    {
        await SaveManifestAsync(new RowAttempts { Current = 3, Earlier = [new ManifestAttempt(1, "preempted", 143, "i-old", Spot: true), new ManifestAttempt(2, "lost", null, "i-lost")] });
        store.Put(Batch, "sweep/jobs/0000/status.json", """{"index":0,"exit_code":143,"state":"preempted"}""");
        store.Put(Batch, "sweep/jobs/0000/attempt-3/status.json", """{"index":0,"exit_code":0}""");

        var job = (await reader.ReadAsync(Batch, Batch, CancellationToken.None)).Jobs[0];

        Assert.Multiple(() =>
        {
            Assert.That((job.State, job.ExitCode, job.Attempt), Is.EqualTo((JobState.Done, (int?)0, 3)));
            Assert.That(job.EarlierAttempts, Is.EqualTo(new[] { new JobAttempt(1, JobState.Preempted, 143, "i-old", Spot: true), new JobAttempt(2, JobState.Lost, null, "i-lost") }));
        });
    }

    [Test]
    public async Task Read_RetriedRowWhoseNewAttemptHasNotReported_IsNotTheEarlierAttemptsOutcome()
    {
        await SaveManifestAsync(new RowAttempts { Current = 2, Earlier = [new ManifestAttempt(1, "preempted", 143, "i-old")] });
        store.Put(Batch, "sweep/jobs/0000/status.json", """{"index":0,"exit_code":143,"state":"preempted"}""");

        var job = (await reader.ReadAsync(Batch, Batch, CancellationToken.None)).Jobs[0];

        Assert.That(job.State, Is.EqualTo(JobState.Lost), "its new node (i-0) is gone and attempt 2 reported nothing");
    }

    private Task SaveManifestAsync(RowAttempts? attempts) => new ManifestStore(store).SaveAsync(new BatchManifest
    {
        Name = Batch,
        Bucket = Batch,
        Cloud = "fake",
        ImageId = "ami-12345678",
        CreatedAt = time.GetUtcNow(),
        HeartbeatSeconds = 60,
        MaxHours = 1,
        Rows =
        [
            new ManifestRow
            {
                Index = 0,
                Line = 2,
                InstanceType = "c5.large",
                Command = "true",
                Variables = new Dictionary<string, string>(),
                InstanceId = "i-0",
                Install = "ready",
                DispatchedAt = time.GetUtcNow(),
                Attempts = attempts,
            },
        ],
    }, CancellationToken.None);
}
