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
}
