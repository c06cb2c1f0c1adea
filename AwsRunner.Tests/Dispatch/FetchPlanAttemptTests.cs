using AwsRunner.Core.Cloud;
using AwsRunner.Core.Dispatch;

namespace AwsRunner.Tests.Dispatch;

/// <summary>A retried job in a fetch: its current attempt is the job's result, its earlier ones beside it.</summary>
public sealed class FetchPlanAttemptTests
{
    private const string Batch = "sweep";

    [Test]
    public void Of_RetriedJobWhoseCurrentAttemptFinished_FetchesEveryAttemptTheCurrentOneFirst()
    {
        var plan = FetchPlan.Of(Batch, Manifest(current: 2), [
            Stored("status.json"), Stored("job.log"), Stored("results.tar.gz"),
            Stored("attempt-2/status.json"), Stored("attempt-2/job.log"), Stored("attempt-2/results.tar.gz"), Stored("attempt-2/heartbeat.json"),
        ]);

        Assert.That(plan.Single().Select(o => o.Key[(Batch.Length + 11)..]), Is.EqualTo(new[]
        {
            "attempt-2/status.json", "attempt-2/results.tar.gz", "attempt-2/job.log", "status.json", "results.tar.gz", "job.log",
        }));
    }

    [Test]
    public void Of_RetriedJobWhoseCurrentAttemptRuns_IsNotFetchedYet()
    {
        var plan = FetchPlan.Of(Batch, Manifest(current: 2), [Stored("status.json"), Stored("job.log"), Stored("attempt-2/heartbeat.json")]);

        Assert.That(plan, Is.Empty, "the earlier attempt's status.json is not the job's end");
    }

    [TestCase("attempt-2/job.log", "0000", "job.log")]
    [TestCase("results.tar.gz", "0000/attempt-1", "results.tar.gz")]
    public void Place_CurrentAttemptInTheJobFolder_EarlierOnesInAttemptFolders(string name, string folder, string file)
    {
        var place = FetchPlan.Place(Batch, Manifest(current: 2), Stored(name));

        Assert.That(place, Is.EqualTo((0, folder, file)));
    }

    [Test]
    public void Place_JobNeverRetried_InTheJobFolderAsBefore()
    {
        Assert.That(FetchPlan.Place(Batch, Manifest(current: 1), Stored("job.log")), Is.EqualTo((0, "0000", "job.log")));
    }

    private static StoredObject Stored(string name) => new($"{Batch}/jobs/0000/{name}", 10, "etag", DateTimeOffset.UnixEpoch);

    private static Dictionary<int, int> Manifest(int current) => new() { [0] = current };
}
