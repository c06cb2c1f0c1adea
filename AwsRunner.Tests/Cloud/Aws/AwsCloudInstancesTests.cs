using AwsRunner.Core;
using AwsRunner.Core.Cloud;
using NUnit.Framework;

namespace AwsRunner.Tests.Cloud.Aws;

[TestFixture]
// They share one moto_server, reset between tests.
[NonParallelizable]
public sealed class AwsCloudInstancesTests
{
    [Test]
    public async Task CheckImage_KnownImage_Passes()
    {
        await using var bed = await AwsTestBed.OnMotoAsync();

        Assert.DoesNotThrowAsync(() => bed.Cloud.CheckImageAsync(AwsTestBed.Image, CancellationToken.None));
    }

    [Test]
    public async Task CheckImage_MalformedId_FailsWithoutAskingAws()
    {
        await using var bed = await AwsTestBed.OnMotoAsync();

        var error = Assert.ThrowsAsync<InvalidInputException>(() => bed.Cloud.CheckImageAsync("ubuntu-22.04", CancellationToken.None));

        Assert.Multiple(() =>
        {
            Assert.That(error!.Code, Is.EqualTo("InvalidAMIID.Malformed"));
            Assert.That(bed.Recorder.Requests, Is.Empty);
        });
    }

    [Test]
    public async Task CheckImage_UnknownImage_IsInvalidInputNamingTheRegion()
    {
        await using var bed = await AwsTestBed.OnMotoAsync();

        var error = Assert.ThrowsAsync<InvalidInputException>(() => bed.Cloud.CheckImageAsync("ami-0123456789abcdef0", CancellationToken.None));

        Assert.Multiple(() =>
        {
            Assert.That(error!.Code, Is.EqualTo("InvalidAMIID.NotFound"));
            Assert.That(error.Message, Does.Contain("ami-0123456789abcdef0").And.Contain("us-east-1"));
        });
    }

    [Test]
    public async Task Describe_ReturnsOnlyTheBatchsInstances()
    {
        await using var bed = await AwsTestBed.OnMotoAsync();
        var mine = await bed.LaunchAsync("sweep1", AwsTestBed.Row(0, "t3.micro"), AwsTestBed.Row(1, "t3.small"));
        await bed.LaunchAsync("other", AwsTestBed.Row(0, "t3.micro"));
        bed.Recorder.Clear();

        var described = await bed.Cloud.DescribeAsync("sweep1", CancellationToken.None);

        Assert.Multiple(() =>
        {
            Assert.That(described.Select(n => n.InstanceId), Is.EquivalentTo(mine.Select(n => n.InstanceId)));
            Assert.That(described.Select(n => n.Batch), Is.All.EqualTo("sweep1"));
            Assert.That(described.Select(n => n.State), Is.All.EqualTo(InstanceState.Running));
            Assert.That(described.Select(n => n.Address), Is.All.Not.Null);
            Assert.That(bed.Recorder.Calls("DescribeInstances"), Has.Count.EqualTo(1), "one call for the whole batch");
        });
    }

    [Test]
    public async Task Terminate_WaitsUntilTerminatedAndLeavesTheRestRunning()
    {
        await using var bed = await AwsTestBed.OnMotoAsync();
        var nodes = await bed.LaunchAsync("sweep1", AwsTestBed.Row(0, "t3.micro"), AwsTestBed.Row(1, "t3.micro"));

        await bed.Cloud.TerminateAsync("sweep1", [nodes[0].InstanceId], CancellationToken.None);

        var states = (await bed.Cloud.DescribeAsync("sweep1", CancellationToken.None)).ToDictionary(n => n.InstanceId, n => n.State);
        Assert.Multiple(() =>
        {
            Assert.That(states[nodes[0].InstanceId], Is.EqualTo(InstanceState.Terminated));
            Assert.That(states[nodes[1].InstanceId], Is.EqualTo(InstanceState.Running));
            Assert.That(bed.Recorder.Calls("TerminateInstances").Single()["InstanceId.1"], Is.EqualTo(nodes[0].InstanceId));
        });
    }

    [Test]
    public async Task Terminate_AnInstanceOfAnotherBatch_IsNeverTerminated()
    {
        await using var bed = await AwsTestBed.OnMotoAsync();
        await bed.LaunchAsync("sweep1", AwsTestBed.Row(0, "t3.micro"));
        var other = await bed.LaunchAsync("other", AwsTestBed.Row(0, "t3.micro"));

        await bed.Cloud.TerminateAsync("sweep1", [other[0].InstanceId], CancellationToken.None);

        Assert.Multiple(async () =>
        {
            Assert.That(bed.Recorder.Calls("TerminateInstances"), Is.Empty);
            Assert.That((await bed.Cloud.DescribeAsync("other", CancellationToken.None)).Single().State, Is.EqualTo(InstanceState.Running));
        });
    }

    [Test]
    public async Task ListBatches_CountsLiveInstancesPerBatchFromTags()
    {
        await using var bed = await AwsTestBed.OnMotoAsync();
        var sweep = await bed.LaunchAsync("sweep1", AwsTestBed.Row(0, "t3.micro"), AwsTestBed.Row(1, "t3.micro"), AwsTestBed.Row(2, "c5.large"));
        await bed.LaunchAsync("other", AwsTestBed.Row(0, "t3.micro"));
        await bed.LaunchAsync("gone", AwsTestBed.Row(0, "t3.micro"));
        await bed.Cloud.TerminateAsync("sweep1", [sweep[0].InstanceId], CancellationToken.None);
        var gone = await bed.Cloud.DescribeAsync("gone", CancellationToken.None);
        await bed.Cloud.TerminateAsync("gone", gone.Select(n => n.InstanceId).ToList(), CancellationToken.None);

        var batches = await bed.Cloud.ListBatchesAsync(CancellationToken.None);

        Assert.Multiple(() =>
        {
            Assert.That(batches.Select(b => (b.Batch, b.Live)), Is.EqualTo(new[] { ("other", 1), ("sweep1", 2) }));
            Assert.That(batches.Select(b => b.InstanceHours), Is.All.GreaterThanOrEqualTo(0));
            Assert.That(batches.Select(b => b.OldestLaunch), Is.All.Not.Null);
        });
    }

    [Test]
    public async Task NodeSettings_AreEmpty_SoTheRunnersOwnPowerOffIsUsed()
    {
        await using var bed = AwsTestBed.Canned();
        var settings = bed.Cloud.NodeSettings(
            new NodeInstance("sweep1", 0, "i-1", "t3.micro", InstanceState.Running, "203.0.113.1", DateTimeOffset.UnixEpoch));

        Assert.That(settings, Is.Empty);
    }
}
