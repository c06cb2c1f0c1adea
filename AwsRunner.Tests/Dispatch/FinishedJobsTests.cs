using AwsRunner.Core.Dispatch;
using AwsRunner.Tests.Support;

namespace AwsRunner.Tests.Dispatch;

public sealed class FinishedJobsTests
{
    private const string Batch = "sweep";

    [Test]
    public async Task Read_StatusJsonThatDoesNotParse_CountsAsFinishedSoThatARerunNeverOverwritesIt()
    {
        var store = new MemoryResultStore(TimeProvider.System);
        await store.EnsureBucketAsync(Batch, CancellationToken.None);
        await store.PutAsync(Batch, "sweep/jobs/0000/status.json", (byte[])[.. "{\"index\":0,\"exit_code\":0,\"results_error\":\""u8, 0xE2, 0x96, .. "\"}"u8], CancellationToken.None);
        store.Put(Batch, "sweep/jobs/0001/status.json", """{"index":1,"exit_code":3}""");
        store.Put(Batch, "sweep/jobs/0002/heartbeat.json", """{"state":"running","index":2}""");

        var finished = await FinishedJobs.ReadAsync(store, Batch, Batch, null, CancellationToken.None);

        Assert.That(finished.Keys.Order(), Is.EqualTo(new[] { 0, 1 }));
        Assert.That(FinishedJobs.Outcome(0, finished[0], "i-0").State, Is.EqualTo(JobState.Unreadable));
        Assert.That(FinishedJobs.Outcome(1, finished[1], "i-1").State, Is.EqualTo(JobState.Failed));
    }
}
