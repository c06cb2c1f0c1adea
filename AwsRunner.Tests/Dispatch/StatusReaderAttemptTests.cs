using Microsoft.Extensions.Time.Testing;
using AwsRunner.Core.Cloud;
using AwsRunner.Core.Dispatch;
using AwsRunner.Core.Ledger;
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
    private BatchLedger ledger = null!;

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
        await SaveManifestAsync();
        store.Put(Batch, "sweep/jobs/0000/status.json", """{"index":0,"exit_code":143,"state":"preempted"}""");

        var job = (await reader.ReadAsync(ledger, CancellationToken.None)).Jobs[0];

        Assert.That((job.State, job.ExitCode, job.Attempt, job.EarlierAttempts.Count), Is.EqualTo((JobState.Preempted, (int?)143, 1, 0)));
    }

    [Test]
    public async Task Read_RowOnItsSecondAttempt_ReadsThatAttemptsObjectsAndTellsHowTheFirstEnded()
    {
        await SaveManifestAsync(
            new LedgerAttempt { Number = 1, Node = "i-old", Ended = "preempted", ExitCode = 143 },
            new LedgerAttempt { Number = 2, Node = "i-lost", Ended = "lost" },
            new LedgerAttempt { Number = 3, Node = "i-0", DispatchedAt = time.GetUtcNow() });
        store.Put(Batch, "sweep/jobs/0000/status.json", """{"index":0,"exit_code":143,"state":"preempted"}""");
        store.Put(Batch, "sweep/jobs/0000/attempt-3/status.json", """{"index":0,"exit_code":0}""");

        var job = (await reader.ReadAsync(ledger, CancellationToken.None)).Jobs[0];

        Assert.Multiple(() =>
        {
            Assert.That((job.State, job.ExitCode, job.Attempt), Is.EqualTo((JobState.Done, (int?)0, 3)));
            Assert.That(job.EarlierAttempts, Is.EqualTo(new[] { new JobAttempt(1, JobState.Preempted, 143, "i-old", Spot: true), new JobAttempt(2, JobState.Lost, null, "i-lost") }));
        });
    }

    [Test]
    public async Task Read_RetriedRowWhoseNewAttemptHasNotReported_IsNotTheEarlierAttemptsOutcome()
    {
        await SaveManifestAsync(
            new LedgerAttempt { Number = 1, Node = "i-old", Ended = "preempted", ExitCode = 143 },
            new LedgerAttempt { Number = 2, Node = "i-0", DispatchedAt = time.GetUtcNow() });
        store.Put(Batch, "sweep/jobs/0000/status.json", """{"index":0,"exit_code":143,"state":"preempted"}""");

        var job = (await reader.ReadAsync(ledger, CancellationToken.None)).Jobs[0];

        Assert.That(job.State, Is.EqualTo(JobState.Lost), "its new node (i-0) is gone and attempt 2 reported nothing");
    }

    private async Task SaveManifestAsync(params LedgerAttempt[] attempts) =>
        ledger = await TestLedgers.StoreAsync(store, TestLedgers.Rows(Batch, 1, time.GetUtcNow(), TestLedgers.Settings(maxHours: 1))
            .WithAttempts(0, attempts.Length == 0 ? [new LedgerAttempt { Number = 1, Node = "i-0", DispatchedAt = time.GetUtcNow() }] : attempts)
            .WithNodes(TestLedgers.Node("i-0", time.GetUtcNow()), TestLedgers.Node("i-old", time.GetUtcNow(), spot: true), TestLedgers.Node("i-lost", time.GetUtcNow())));
}
