using AwsRunner.Core.Cloud;
using AwsRunner.Core.Dispatch;

namespace AwsRunner.Tests.Dispatch;

public sealed class FetchPlanTests
{
    private const string Batch = "sweep";

    [Test]
    public void Of_FinishedJobsOnly_EachItsStatusFirstThatTheArchiveIsCheckedAgainst()
    {
        var plan = FetchPlan.Of(Batch, Current(3), [
            Stored(0, "status.json", 10), Stored(0, "job.log", 10), Stored(0, "heartbeat.json", 10), Stored(0, "results.tar.gz", 10),
            Stored(1, "heartbeat.json", 10), Stored(1, "results.tar.gz", 10),
            Stored(2, "job.log", 10), Stored(2, "status.json", 10),
        ]);

        Assert.That(plan.Select(job => job.Select(o => o.Key)), Is.EqualTo(new[]
        {
            new[] { "sweep/jobs/0000/status.json", "sweep/jobs/0000/results.tar.gz", "sweep/jobs/0000/job.log" },
            new[] { "sweep/jobs/0002/status.json", "sweep/jobs/0002/job.log" },
        }));
    }

    [Test]
    public void Of_LargestJobsFirst_OthersInJobOrder()
    {
        var plan = FetchPlan.Of(Batch, Current(4), Enumerable.Range(0, 4).SelectMany(i => new[]
        {
            Stored(i, "results.tar.gz", i == 3 ? 50L << 20 : 100),
            Stored(i, "status.json", 10),
        }));

        Assert.That(plan.Select(job => job[0].Key[..15]), Is.EqualTo(new[] { "sweep/jobs/0003", "sweep/jobs/0000", "sweep/jobs/0001", "sweep/jobs/0002" }));
    }

    private static StoredObject Stored(int job, string file, long size) =>
        new($"{Batch}/jobs/{job:D4}/{file}", size, "etag", DateTimeOffset.UnixEpoch);

    private static Dictionary<int, int> Current(int rows) => Enumerable.Range(0, rows).ToDictionary(i => i, _ => 1);
}
