using System.Net;
using System.Text;
using AwsRunner.Core;
using AwsRunner.Core.Cloud;
using AwsRunner.Core.Cloud.Aws;
using AwsRunner.Tests.Support;
using NUnit.Framework;

namespace AwsRunner.Tests.Cloud.Aws;

[TestFixture]
// They share one moto_server, reset between tests.
[NonParallelizable]
public sealed class AwsCloudLaunchTests
{
    [Test]
    public async Task Launch_TwoInstanceTypes_MakesOneRunInstancesCallPerType()
    {
        await using var bed = await AwsTestBed.OnMotoAsync();

        var nodes = await bed.LaunchAsync("sweep1",
            AwsTestBed.Row(0, "t3.micro"), AwsTestBed.Row(1, "c5.large"), AwsTestBed.Row(2, "t3.micro"), AwsTestBed.Row(3, "t3.micro"));

        var calls = bed.Recorder.Calls("RunInstances");
        Assert.Multiple(() =>
        {
            Assert.That(calls, Has.Count.EqualTo(2));
            Assert.That(calls.Select(c => (c["InstanceType"], c["MinCount"], c["MaxCount"])),
                Is.EquivalentTo(new[] { ("c5.large", "1", "1"), ("t3.micro", "3", "3") }));
            Assert.That(nodes.Select(n => n.JobIndex), Is.EqualTo(new[] { 0, 1, 2, 3 }), "one node per row, in row order");
            Assert.That(nodes.Select(n => n.InstanceType), Is.EqualTo(new[] { "t3.micro", "c5.large", "t3.micro", "t3.micro" }));
            Assert.That(nodes.Select(n => n.InstanceId).Distinct().Count(), Is.EqualTo(4));
        });
    }

    [Test]
    public async Task Launch_TagsEachCallWithTheBatchAndItsRows_SoDescribeMapsInstancesBackToRows()
    {
        await using var bed = await AwsTestBed.OnMotoAsync();
        var launched = await bed.LaunchAsync("sweep1",
            AwsTestBed.Row(0, "t3.micro"), AwsTestBed.Row(1, "c5.large"), AwsTestBed.Row(2, "t3.micro"), AwsTestBed.Row(3, "t3.micro"));

        var described = await bed.Cloud.DescribeAsync("sweep1", CancellationToken.None);

        var micro = bed.Recorder.Calls("RunInstances").Single(c => c["InstanceType"] == "t3.micro");
        Assert.Multiple(() =>
        {
            Assert.That(micro["TagSpecification.1.ResourceType"], Is.EqualTo("instance"));
            Assert.That(micro["TagSpecification.1.Tag.1.Key"], Is.EqualTo("awsrunner:batch"));
            Assert.That(micro["TagSpecification.1.Tag.1.Value"], Is.EqualTo("sweep1"));
            Assert.That(micro["TagSpecification.1.Tag.2.Key"], Is.EqualTo("awsrunner:rows"));
            Assert.That(micro["TagSpecification.1.Tag.2.Value"], Is.EqualTo("0,2-3"));
            Assert.That(described.ToDictionary(n => n.InstanceId, n => n.JobIndex),
                Is.EquivalentTo(launched.ToDictionary(n => n.InstanceId, n => n.JobIndex)));
        });
    }

    [Test]
    public async Task Launch_AsksForTerminateOnShutdownAndArmsTheDeadMansSwitch()
    {
        await using var bed = await AwsTestBed.OnMotoAsync();
        await bed.Cloud.PrepareAccessAsync("sweep1", CancellationToken.None);

        // After the runner's own switch at launch + max lifetime, its 5 minutes' last upload and 5 minutes for the clocks.
        var before = DateTimeOffset.UtcNow.AddMinutes(100).ToUnixTimeSeconds();
        await bed.Cloud.LaunchAsync(AwsTestBed.Launch("sweep1", AwsTestBed.Row(0, "t3.micro")) with { MaxLifetime = TimeSpan.FromMinutes(90) },
            CancellationToken.None);
        var after = DateTimeOffset.UtcNow.AddMinutes(100).ToUnixTimeSeconds();

        var call = bed.Recorder.Calls("RunInstances").Single();
        var userData = Encoding.UTF8.GetString(Convert.FromBase64String(call["UserData"]));
        var deadline = long.Parse(System.Text.RegularExpressions.Regex.Match(userData, "deadline=([0-9]+)").Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
        Assert.Multiple(() =>
        {
            Assert.That(call["InstanceInitiatedShutdownBehavior"], Is.EqualTo("terminate"));
            Assert.That(userData, Does.StartWith("#cloud-boothook\n#!/bin/sh\n"), "a boothook runs at every boot");
            Assert.That(deadline, Is.InRange(before, after), "launch + max lifetime + 10 minutes, fixed at launch");
            Assert.That(userData, Does.Contain("shutdown -h +$minutes"));
            Assert.That(call["KeyName"], Is.EqualTo("sweep1"));
            Assert.That(call["SecurityGroupId.1"], Does.StartWith("sg-"));
            Assert.That(call.Form.Keys, Has.None.StartWith("InstanceMarketOptions"));
        });
    }

    [Test]
    public async Task Launch_LaptopClockTwentyMinutesSlow_FixesTheBoothooksPowerOffOnS3sClock()
    {
        await using var bed = await AwsTestBed.OnMotoAsync(time: new SlowClock(TimeSpan.FromMinutes(20)));
        await bed.Cloud.PrepareAccessAsync("sweep1", CancellationToken.None);
        // Create has asked the bucket before it launches: S3's Date header has told its time.
        await bed.Results.EnsureBucketAsync("sweep1", CancellationToken.None);

        var before = DateTimeOffset.UtcNow.AddMinutes(100).ToUnixTimeSeconds();
        await bed.Cloud.LaunchAsync(AwsTestBed.Launch("sweep1", AwsTestBed.Row(0, "t3.micro")) with { MaxLifetime = TimeSpan.FromMinutes(90) },
            CancellationToken.None);
        var after = DateTimeOffset.UtcNow.AddMinutes(100).ToUnixTimeSeconds();

        var userData = Encoding.UTF8.GetString(Convert.FromBase64String(bed.Recorder.Calls("RunInstances").Single()["UserData"]));
        var deadline = long.Parse(System.Text.RegularExpressions.Regex.Match(userData, "deadline=([0-9]+)").Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
        // A second either way: S3's Date header has whole seconds.
        Assert.That(deadline, Is.InRange(before - 1, after + 1), "S3's now + max lifetime + 10 minutes, not this machine's slow clock");
    }

    [Test]
    public async Task Launch_RequiresImdsV2WithOneHopAndEncryptsTheImagesRootVolume()
    {
        await using var bed = await AwsTestBed.OnMotoAsync();

        await bed.LaunchAsync("sweep1", AwsTestBed.Row(0, "t3.micro"));

        var call = bed.Recorder.Calls("RunInstances").Single();
        Assert.Multiple(() =>
        {
            Assert.That(call["MetadataOptions.HttpTokens"], Is.EqualTo("required"));
            Assert.That(call["MetadataOptions.HttpPutResponseHopLimit"], Is.EqualTo("1"));
            Assert.That(call["MetadataOptions.HttpEndpoint"], Is.EqualTo("enabled"));
            Assert.That(call["BlockDeviceMapping.1.DeviceName"], Is.EqualTo("/dev/xvda"), "the image's root device");
            Assert.That(call["BlockDeviceMapping.1.Ebs.Encrypted"], Is.EqualTo("true"));
            Assert.That(call.Form.Keys, Has.None.EqualTo("BlockDeviceMapping.1.Ebs.VolumeType"), "the image's own volume, only encrypted");
            Assert.That(call.Form.Keys.Count(k => k.StartsWith("BlockDeviceMapping.", StringComparison.Ordinal) && k.EndsWith(".DeviceName", StringComparison.Ordinal)),
                Is.EqualTo(1));
        });
    }

    [Test]
    public async Task Launch_AfterTheImageCheck_DoesNotDescribeTheImageAgain()
    {
        await using var bed = await AwsTestBed.OnMotoAsync();
        await bed.Cloud.CheckImageAsync(AwsTestBed.Image, CancellationToken.None);

        await bed.LaunchAsync("sweep1", AwsTestBed.Row(0, "t3.micro"));

        Assert.Multiple(() =>
        {
            Assert.That(bed.Recorder.Calls("DescribeImages"), Has.Count.EqualTo(1));
            Assert.That(bed.Recorder.Calls("RunInstances").Single()["BlockDeviceMapping.1.Ebs.Encrypted"], Is.EqualTo("true"));
        });
    }

    [Test]
    public async Task Launch_WithOptions_SendsVolumeSizeSubnetAndInstanceProfile()
    {
        await using var plain = await AwsTestBed.OnMotoAsync();
        var subnet = await plain.DefaultSubnetAsync();
        await plain.CreateInstanceProfileAsync("batch-role");
        await using var bed = await AwsTestBed.OnMotoAsync(
            new AwsCloudOptions { SshCidr = AwsTestBed.Cidr, SubnetId = subnet, VolumeSizeGiB = 40, InstanceProfile = "batch-role" },
            reset: false);

        await bed.LaunchAsync("sweep1", AwsTestBed.Row(0, "t3.micro"));

        var call = bed.Recorder.Calls("RunInstances").Single();
        Assert.Multiple(() =>
        {
            Assert.That(call["SubnetId"], Is.EqualTo(subnet));
            Assert.That(call["IamInstanceProfile.Name"], Is.EqualTo("batch-role"));
            Assert.That(call["MetadataOptions.HttpTokens"], Is.EqualTo("required"));
            Assert.That(call["MetadataOptions.HttpPutResponseHopLimit"], Is.EqualTo("2"), "containers on the node reach the role's credentials");
            Assert.That(call["BlockDeviceMapping.1.Ebs.Encrypted"], Is.EqualTo("true"));
            Assert.That(call["BlockDeviceMapping.1.Ebs.VolumeType"], Is.EqualTo("gp3"));
            Assert.That(call["BlockDeviceMapping.1.DeviceName"], Is.EqualTo("/dev/xvda"), "the image's root device");
            Assert.That(call["BlockDeviceMapping.1.Ebs.VolumeSize"], Is.EqualTo("40"));
            Assert.That(call["BlockDeviceMapping.1.Ebs.DeleteOnTermination"], Is.EqualTo("true"));
        });
    }

    [Test]
    public async Task Launch_SecondRun_AdoptsLiveInstancesInsteadOfLaunchingTwins()
    {
        await using var bed = await AwsTestBed.OnMotoAsync();
        JobRow0To2(out var rows);
        var first = await bed.LaunchAsync("sweep1", rows);
        bed.Recorder.Clear();

        var second = await bed.LaunchAsync("sweep1", rows);

        Assert.Multiple(() =>
        {
            Assert.That(bed.Recorder.Calls("RunInstances"), Is.Empty);
            Assert.That(second.Select(n => n.InstanceId), Is.EqualTo(first.Select(n => n.InstanceId)));
        });
    }

    [Test]
    public async Task Launch_AfterOneRowsInstanceTerminated_RelaunchesOnlyThatRowWithANewClientToken()
    {
        await using var bed = await AwsTestBed.OnMotoAsync();
        JobRow0To2(out var rows);
        var first = await bed.LaunchAsync("sweep1", rows);
        var firstToken = bed.Recorder.Calls("RunInstances").Single()["ClientToken"];
        await bed.Cloud.TerminateAsync("sweep1", [first[1].InstanceId], CancellationToken.None);
        bed.Recorder.Clear();

        var second = await bed.LaunchAsync("sweep1", rows);

        var call = bed.Recorder.Calls("RunInstances").Single();
        Assert.Multiple(() =>
        {
            Assert.That(call["MaxCount"], Is.EqualTo("1"));
            Assert.That(call["ClientToken"], Is.Not.EqualTo(firstToken));
            Assert.That(second[0].InstanceId, Is.EqualTo(first[0].InstanceId));
            Assert.That(second[1].InstanceId, Is.Not.EqualTo(first[1].InstanceId));
            Assert.That(second[2].InstanceId, Is.EqualTo(first[2].InstanceId));
        });
    }

    [Test]
    public async Task Launch_RetriedFromScratch_SendsTheSameClientTokens()
    {
        JobRow0To2(out var rows);
        var tokens = new List<string>();
        for (var attempt = 0; attempt < 2; attempt++)
        {
            await using var bed = await AwsTestBed.OnMotoAsync();
            await bed.LaunchAsync("sweep1", rows);
            tokens.Add(bed.Recorder.Calls("RunInstances").Single()["ClientToken"]);
        }

        Assert.Multiple(() =>
        {
            Assert.That(tokens[1], Is.EqualTo(tokens[0]), "EC2 returns the first call's instances for a repeated token");
            Assert.That(tokens[0], Has.Length.LessThanOrEqualTo(64));
        });
    }

    [Test]
    public async Task Launch_SpotRefused_FallsBackToOnDemand()
    {
        await using var bed = await AwsTestBed.OnMotoAsync(new AwsCloudOptions { SshCidr = AwsTestBed.Cidr, Spot = true });
        bed.Recorder.Answer = call => call.Action == "RunInstances" && call.Form.ContainsKey("InstanceMarketOptions.MarketType")
            ? AwsRecorder.Ec2Error("InsufficientInstanceCapacity", "There is no Spot capacity available that matches your request.", HttpStatusCode.InternalServerError)
            : null;

        var nodes = await bed.LaunchAsync("sweep1", AwsTestBed.Row(0, "t3.micro"), AwsTestBed.Row(1, "t3.micro"));

        var calls = bed.Recorder.Calls("RunInstances");
        Assert.Multiple(() =>
        {
            Assert.That(calls, Has.Count.EqualTo(2));
            Assert.That(calls[0]["InstanceMarketOptions.MarketType"], Is.EqualTo("spot"));
            Assert.That(calls[1].Form.ContainsKey("InstanceMarketOptions.MarketType"), Is.False);
            Assert.That(calls[1]["ClientToken"], Is.Not.EqualTo(calls[0]["ClientToken"]));
            Assert.That(nodes, Has.Count.EqualTo(2));
            Assert.That(nodes.Select(n => n.Spot), Is.All.False);
            Assert.That(nodes.Select(n => n.SpotRefusal), Is.All.EqualTo("InsufficientInstanceCapacity"));
            Assert.That(Tags(calls[1]), Does.ContainKey("awsrunner:spot-refused").WithValue("InsufficientInstanceCapacity"), "written at launch");
            Assert.That(Tags(calls[0]), Does.Not.ContainKey("awsrunner:spot-refused"));
        });
        var described = await bed.Cloud.DescribeAsync("sweep1", CancellationToken.None);
        Assert.That(described.Select(n => n.SpotRefusal), Is.All.EqualTo("InsufficientInstanceCapacity"), "status sees it from DescribeInstances alone");
    }

    [Test]
    public async Task Launch_Spot_MarksSpotInstances()
    {
        await using var bed = await AwsTestBed.OnMotoAsync(new AwsCloudOptions { SshCidr = AwsTestBed.Cidr, Spot = true });

        await bed.LaunchAsync("sweep1", AwsTestBed.Row(0, "t3.micro"));

        var described = await bed.Cloud.DescribeAsync("sweep1", CancellationToken.None);
        Assert.That(described.Single().Spot, Is.True);
    }

    [Test]
    public async Task Launch_SpotWithRowsToRunOnDemand_LaunchesThoseOnDemandInACallOfTheirOwn()
    {
        await using var bed = await AwsTestBed.OnMotoAsync(new AwsCloudOptions { SshCidr = AwsTestBed.Cidr, Spot = true });
        await bed.Cloud.PrepareAccessAsync("sweep1", CancellationToken.None);

        var nodes = (await bed.Cloud.LaunchAsync(
            AwsTestBed.Launch("sweep1", [AwsTestBed.Row(0, "t3.micro"), AwsTestBed.Row(1, "t3.micro"), AwsTestBed.Row(2, "t3.micro")]) with { OnDemandRows = new HashSet<int> { 1 } },
            CancellationToken.None)).Nodes;

        var calls = bed.Recorder.Calls("RunInstances");
        Assert.Multiple(() =>
        {
            Assert.That(calls.Select(c => (c["MaxCount"], c.Form.GetValueOrDefault("InstanceMarketOptions.MarketType"))),
                Is.EquivalentTo(new[] { ("1", (string?)null), ("2", "spot") }));
            Assert.That(nodes.OrderBy(n => n.JobIndex).Select(n => n.Spot), Is.EqualTo(new[] { true, false, true }));
        });
    }

    [Test]
    public async Task Launch_CapacityErrorWithoutSpot_IsACloudErrorWithAHint()
    {
        await using var bed = await AwsTestBed.OnMotoAsync();
        bed.Recorder.Answer = call => call.Action == "RunInstances"
            ? AwsRecorder.Ec2Error("InsufficientInstanceCapacity", "We currently do not have sufficient p4d.24xlarge capacity.", HttpStatusCode.InternalServerError)
            : null;

        var error = Assert.ThrowsAsync<CloudException>(() => bed.LaunchAsync("sweep1", AwsTestBed.Row(0, "p4d.24xlarge")));

        Assert.Multiple(() =>
        {
            Assert.That(bed.Recorder.Calls("RunInstances"), Has.Count.EqualTo(1), "waiting does not bring capacity back");
            Assert.That(error!.Code, Is.EqualTo("InsufficientInstanceCapacity"));
            Assert.That(error.Message, Does.StartWith("Error attempting to launch 1 instances for batch sweep1:"));
            Assert.That(error.Hint, Does.Contain("another instance type"));
        });
    }

    [Test]
    public async Task Launch_RefusedForTheAccountsVcpuLimit_SaysHowManyVcpusTheBatchAskedForAndSuggestsMaxInstances()
    {
        await using var bed = await AwsTestBed.OnMotoAsync();
        bed.Recorder.Answer = call => call.Action == "RunInstances"
            ? AwsRecorder.Ec2Error("VcpuLimitExceeded", "You have requested more vCPU capacity than your current vCPU limit of 4 allows for the instance bucket that the specified instance type belongs to.")
            : null;

        var error = Assert.ThrowsAsync<CloudException>(() => bed.LaunchAsync("sweep1",
            AwsTestBed.Row(0, "t3.micro"), AwsTestBed.Row(1, "c5.large"), AwsTestBed.Row(2, "t3.micro"), AwsTestBed.Row(3, "t3.micro")));

        Assert.Multiple(() =>
        {
            Assert.That(error!.Code, Is.EqualTo("VcpuLimitExceeded"));
            Assert.That(error.RequestId, Is.EqualTo("req-VcpuLimitExceeded"));
            Assert.That(error.Message, Does.StartWith("Error attempting to launch 4 instances for batch sweep1: You have requested more vCPU capacity"));
            Assert.That(error.Hint, Does.StartWith("the batch asks for 4 instances, 8 vCPUs (c5.large x1 of 2 vCPUs, t3.micro x3 of 2 vCPUs)"));
            Assert.That(error.Hint, Does.Contain("DispatchOptions.MaxInstances").And.Contain("Service Quotas"));
            Assert.That(bed.Recorder.Calls("RunInstances"), Has.Count.EqualTo(1), "nothing launched fewer without WithinQuota");
        });
    }

    [Test]
    public async Task Launch_WithinQuota_AsksForFewerUntilEc2GrantsSome_AndSaysHowManyAndWhy()
    {
        await using var bed = await AwsTestBed.OnMotoAsync();
        await bed.Cloud.PrepareAccessAsync("sweep1", CancellationToken.None);
        // moto would launch MinCount instances where EC2 launches as many as it can up to MaxCount: EC2's answer is canned.
        bed.Recorder.Answer = call => call.Action != "RunInstances" ? null
            : int.Parse(call["MaxCount"], System.Globalization.CultureInfo.InvariantCulture) > 2
            ? AwsRecorder.Ec2Error("InstanceLimitExceeded", "You have requested more instances (5) than your current instance limit of 2 allows for the specified instance type.")
            : AwsRecorder.Xml(HttpStatusCode.OK, RunInstancesAnswer("t3.micro", 2));
        var rows = Enumerable.Range(0, 5).Select(i => AwsTestBed.Row(i, "t3.micro")).ToArray();

        var launched = await bed.Cloud.LaunchAsync(AwsTestBed.Launch("sweep1", rows) with { WithinQuota = true }, CancellationToken.None);

        var calls = bed.Recorder.Calls("RunInstances");
        Assert.Multiple(() =>
        {
            Assert.That(calls.Select(c => (c["MinCount"], c["MaxCount"])), Is.EqualTo(new[] { ("5", "5"), ("1", "5"), ("1", "2") }));
            Assert.That(calls.Select(c => c["ClientToken"]).Distinct().Count(), Is.EqualTo(3), "each a call of its own to EC2");
            Assert.That(Tags(calls[2])["awsrunner:rows"], Is.EqualTo("0-1"), "the rows of the smaller call");
            Assert.That(launched.Nodes.Select(n => n.JobIndex), Is.EqualTo(new[] { 0, 1 }), "rows without an instance are not in the result");
            Assert.That(launched.Shortfall, Is.EqualTo(
                "EC2 launched 2 of 5 instances (t3.micro 2 of 5): InstanceLimitExceeded: You have requested more instances (5) than your current instance limit of 2 allows for the specified instance type."));
        });
    }

    [Test]
    public async Task Launch_WithinQuota_Ec2GrantingFewerThanMaxCount_GivesTheFirstRowsTheirInstances()
    {
        await using var bed = await AwsTestBed.OnMotoAsync();
        await bed.Cloud.PrepareAccessAsync("sweep1", CancellationToken.None);
        bed.Recorder.Answer = call => call.Action != "RunInstances" ? null
            : call["MinCount"] == call["MaxCount"]
            ? AwsRecorder.Ec2Error("VcpuLimitExceeded", "You have requested more vCPU capacity than your current vCPU limit of 6 allows.")
            : AwsRecorder.Xml(HttpStatusCode.OK, RunInstancesAnswer("t3.micro", 3));
        var rows = Enumerable.Range(0, 4).Select(i => AwsTestBed.Row(i, "t3.micro")).ToArray();

        var launched = await bed.Cloud.LaunchAsync(AwsTestBed.Launch("sweep1", rows) with { WithinQuota = true }, CancellationToken.None);

        Assert.Multiple(() =>
        {
            Assert.That(launched.Nodes.Select(n => (n.JobIndex, n.InstanceId)), Is.EqualTo(new[] { (0, "i-00000000000000000"), (1, "i-00000000000000001"), (2, "i-00000000000000002") }));
            Assert.That(launched.Shortfall, Does.StartWith("EC2 launched 3 of 4 instances (t3.micro 3 of 4): VcpuLimitExceeded: "));
            Assert.That(bed.Recorder.Calls("RunInstances"), Has.Count.EqualTo(2));
        });
    }

    [Test]
    public async Task Launch_WithinQuota_NotEvenOneGranted_LaunchesNothingAndSaysWhy()
    {
        await using var bed = await AwsTestBed.OnMotoAsync();
        await bed.Cloud.PrepareAccessAsync("sweep1", CancellationToken.None);
        bed.Recorder.Answer = call => call.Action == "RunInstances"
            ? AwsRecorder.Ec2Error("InsufficientInstanceCapacity", "We currently do not have sufficient t3.micro capacity.", HttpStatusCode.InternalServerError)
            : null;

        var launched = await bed.Cloud.LaunchAsync(
            AwsTestBed.Launch("sweep1", AwsTestBed.Row(0, "t3.micro"), AwsTestBed.Row(1, "t3.micro"), AwsTestBed.Row(2, "t3.micro")) with { WithinQuota = true },
            CancellationToken.None);

        Assert.Multiple(() =>
        {
            Assert.That(launched.Nodes, Is.Empty);
            Assert.That(launched.Shortfall, Does.StartWith("EC2 launched 0 of 3 instances (t3.micro 0 of 3): InsufficientInstanceCapacity: "));
            Assert.That(bed.Recorder.Calls("RunInstances").Select(c => c["MaxCount"]), Is.EqualTo(new[] { "3", "3", "1" }), "3, then up to 3, then up to 1");
        });
    }

    [Test]
    public async Task Vcpus_OfInstanceTypes_AreEc2s()
    {
        await using var bed = await AwsTestBed.OnMotoAsync();

        var vcpus = await bed.Cloud.GetVcpusAsync(["t3.micro", "c5.2xlarge", "t3.micro"], CancellationToken.None);

        Assert.That(vcpus, Is.EquivalentTo(new Dictionary<string, int> { ["t3.micro"] = 2, ["c5.2xlarge"] = 8 }));
    }

    [Test]
    public async Task Vcpus_OfATypeEc2DoesNotKnow_IsInvalidInputNamingIt()
    {
        await using var bed = await AwsTestBed.OnMotoAsync();

        var error = Assert.ThrowsAsync<InvalidInputException>(() => bed.Cloud.GetVcpusAsync(["t3.micro", "zz9.plural"], CancellationToken.None));

        Assert.That(error!.Message, Does.Contain("zz9.plural").And.Contain("us-east-1"));
    }

    /// <summary>What EC2 answers a RunInstances that launched <paramref name="count"/> instances.</summary>
    private static string RunInstancesAnswer(string type, int count) =>
        $"""<RunInstancesResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"><requestId>req-run</requestId><reservationId>r-1</reservationId><ownerId>{AwsTestBed.Account}</ownerId><instancesSet>"""
        + string.Concat(Enumerable.Range(0, count).Select(i =>
            $"<item><instanceId>i-{i:D17}</instanceId><imageId>{AwsTestBed.Image}</imageId><instanceState><code>0</code><name>pending</name></instanceState>" +
            $"<amiLaunchIndex>{i}</amiLaunchIndex><instanceType>{type}</instanceType><launchTime>2026-01-01T00:00:00.000Z</launchTime></item>"))
        + "</instancesSet></RunInstancesResponse>";

    /// <summary>The instance tags a recorded RunInstances asked for.</summary>
    private static Dictionary<string, string> Tags(RecordedRequest call) =>
        call.Form.Keys.Where(k => k.StartsWith("TagSpecification.1.Tag.", StringComparison.Ordinal) && k.EndsWith(".Key", StringComparison.Ordinal))
            .ToDictionary(k => call[k], k => call[k[..^".Key".Length] + ".Value"]);

    private static void JobRow0To2(out Core.Jobs.JobRow[] rows) =>
        rows = [AwsTestBed.Row(0, "t3.micro"), AwsTestBed.Row(1, "t3.micro"), AwsTestBed.Row(2, "t3.micro")];

    private sealed class SlowClock(TimeSpan behind) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => System.GetUtcNow() - behind;
    }
}
