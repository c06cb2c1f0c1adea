using Microsoft.Extensions.Time.Testing;
using AwsRunner.Core.Cloud;
using AwsRunner.Core.Dispatch;
using AwsRunner.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;

namespace AwsRunner.Tests.Dispatch;

public sealed class RetryRoundTests
{
    private const string Batch = "sweep";
    private readonly FakeTimeProvider time = new();
    private FakeCloud cloud = null!;
    private MemoryResultStore store = null!;
    private RetryRound round = null!;

    [SetUp]
    public void SetUp()
    {
        cloud = new FakeCloud();
        store = new MemoryResultStore(time);
        round = new RetryRound(new CloudConnection("fake", cloud, null!, store), NullLogger<RetryRound>.Instance);
    }

    [Test]
    public void Due_PreemptedAndLostWithRetriesLeft_AreDue_AFailedJobOnlyForAnExitCodeAskedFor()
    {
        var status = Status(
            Job(0, JobState.Preempted),
            Job(1, JobState.Lost),
            Job(2, JobState.Failed, exitCode: 75),
            Job(3, JobState.Failed, exitCode: 1),
            Job(4, JobState.Done, exitCode: 0),
            Job(5, JobState.Preempted, attempt: 3),
            Job(6, JobState.Running));

        var due = RetryRound.Due(status, Options() with { RetryOnExit = [75] });

        Assert.That(due.Select(j => j.Index), Is.EqualTo(new[] { 0, 1, 2 }), "job 5 has had its two retries");
    }

    [Test]
    public void Due_MaxRetriesZero_NothingIsDue()
    {
        Assert.That(RetryRound.Due(Status(Job(0, JobState.Preempted), Job(1, JobState.Lost)), Options() with { MaxRetries = 0 }), Is.Empty);
    }

    [Test]
    public async Task Advance_PreemptedSpotRow_RecordsTheAttemptAndLeavesTheRowWithoutANode()
    {
        await SaveManifestAsync(null);
        cloud.Instances.Add(new NodeInstance(Batch, 0, "i-0", "c5.large", InstanceState.Terminated, null, time.GetUtcNow(), Spot: true));

        await round.AdvanceAsync(Batch, Batch, [Job(0, JobState.Preempted, exitCode: 143)], Options(), CancellationToken.None);

        var row = (await new ManifestStore(store).RequireAsync(Batch, Batch, CancellationToken.None)).Rows[0];
        Assert.Multiple(() =>
        {
            Assert.That(row.Attempts?.Current, Is.EqualTo(2));
            Assert.That(row.Attempts?.Earlier, Is.EqualTo(new[] { new ManifestAttempt(1, "preempted", 143, "i-0", Spot: true) }));
            Assert.That(row.Attempts?.OnDemand, Is.False, "one preemption of the two that send a row on demand");
            Assert.That((row.InstanceId, row.Install, row.DispatchedAt), Is.EqualTo(((string?)null, (string?)null, (DateTimeOffset?)null)));
        });
    }

    [TestCase(2, true)]
    [TestCase(3, false)]
    public async Task Advance_SecondPreemption_RunsTheRowOnDemandFromTheFallbackOn(int fallbackAfter, bool onDemand)
    {
        // The first attempt's spot node was lost without a word; it counts as taken back.
        await SaveManifestAsync(new RowAttempts { Current = 2, Earlier = [new ManifestAttempt(1, "lost", null, "i-old", Spot: true)] });
        cloud.Instances.Add(new NodeInstance(Batch, 0, "i-0", "c5.large", InstanceState.Terminated, null, time.GetUtcNow(), Spot: true));

        await round.AdvanceAsync(Batch, Batch, [Job(0, JobState.Preempted, attempt: 2)], Options() with { SpotFallbackAfter = fallbackAfter }, CancellationToken.None);

        var row = (await new ManifestStore(store).RequireAsync(Batch, Batch, CancellationToken.None)).Rows[0];
        Assert.That((row.Attempts?.Current, row.Attempts?.OnDemand), Is.EqualTo(((int?)3, (bool?)onDemand)));
    }

    private static DispatchOptions Options() => new() { ImageId = "ami-12345678", Name = Batch, JobFile = "jobs.csv" };

    private static JobStatus Job(int index, JobState state, int? exitCode = null, int attempt = 1) =>
        new(index, "c5.large", $"i-{index}", InstanceState.Terminated, state, exitCode, Attempt: attempt);

    private BatchStatus Status(params JobStatus[] jobs) => new(Batch, Batch, "fake", time.GetUtcNow(), time.GetUtcNow(), jobs);

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
