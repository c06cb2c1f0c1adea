using AwsRunner.Core.Cloud;
using AwsRunner.Core.Cloud.Local;
using AwsRunner.Core.Dispatch;
using AwsRunner.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;

namespace AwsRunner.Tests.Dispatch;

public sealed class BatchTeardownTests
{
    [Test]
    public async Task Down_DeleteResults_RemovesThePartsOfANodeThatDiedMidUpload()
    {
        using var home = new TempFolder();
        await using var connection = LocalCloudConnection.Open(home.Path, 2, TimeProvider.System, NullLoggerFactory.Instance);
        await connection.Results.EnsureBucketAsync("parts", CancellationToken.None);
        // Two parts of three went up, then the node died: no status.json, so no fetch ever takes them.
        await connection.Results.PutAsync("parts", "parts/jobs/0000/results.tar.gz.part-00001", new byte[1000], CancellationToken.None);
        await connection.Results.PutAsync("parts", "parts/jobs/0000/results.tar.gz.part-00002", new byte[1000], CancellationToken.None);
        await connection.Results.PutAsync("parts", "parts/jobs/0000/heartbeat.json", "{}"u8.ToArray(), CancellationToken.None);

        var down = await new BatchRunner(connection, home.Path).DownAsync("parts", deleteResults: true);

        Assert.That(down.ResultsDeleted, Is.True);
        Assert.That(await connection.Results.BucketExistsAsync("parts", CancellationToken.None), Is.False, "emptied, and awsrunner made it");
    }

    [Test]
    public void HungNodes_OnlyNodesUpWhoseEveryRowIsSilentPastTheTime()
    {
        var now = DateTimeOffset.Parse("2026-12-07T12:00:00Z", System.Globalization.CultureInfo.InvariantCulture);
        JobStatus Row(int index, string node, JobState state) => new()
        {
            Index = index, InstanceType = "c5.large", State = state, InstanceId = node, LastHeartbeat = now - TimeSpan.FromMinutes(10),
        };
        NodeStatus Node(string id, InstanceState instance) => new() { InstanceId = id, InstanceType = "c5.large", Instance = instance };
        var status = new BatchStatus
        {
            Name = "hung",
            Bucket = "hung",
            Cloud = "aws",
            CreatedAt = now,
            ReadAt = now,
            // i-a: both slots hung; i-b: one hung, one still beating; i-c: hung but its instance already gone.
            Jobs = [Row(0, "i-a", JobState.Hung), Row(1, "i-a", JobState.Hung), Row(2, "i-b", JobState.Hung), Row(3, "i-b", JobState.Running), Row(4, "i-c", JobState.Hung)],
            Nodes = [Node("i-a", InstanceState.Running), Node("i-b", InstanceState.Running), Node("i-c", InstanceState.Terminated)],
        };

        Assert.That(BatchTeardown.HungNodes(status, TimeSpan.FromMinutes(5)), Is.EqualTo(new[] { "i-a" }),
            "a wait asks the teardown to end exactly these: with another one it would look again at once, for ever");
        Assert.That(BatchTeardown.HungNodes(status, TimeSpan.FromMinutes(15)), Is.Empty, "not silent long enough yet");
    }
}
