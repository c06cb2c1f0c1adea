using System.Net;
using AwsRunner.Core;
using AwsRunner.Core.Cloud.Aws;
using AwsRunner.Core.Cloud.Aws.Ec2;
using AwsRunner.Tests.Support;
using NUnit.Framework;

namespace AwsRunner.Tests.Cloud.Aws.Ec2;

[TestFixture]
// They share one moto_server, reset between tests.
[NonParallelizable]
public sealed class Ec2ClientTests
{
    private const string EmptyDescribe = """<DescribeInstancesResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"><reservationSet/></DescribeInstancesResponse>""";

    [Test]
    public async Task Call_IsSignedForEc2InTheBatchRegion()
    {
        await using var bed = AwsTestBed.Canned(region: "eu-west-1");
        bed.Recorder.Answer = _ => AwsRecorder.Xml(HttpStatusCode.OK, EmptyDescribe);

        await bed.Cloud.DescribeAsync("sweep1", CancellationToken.None);

        var call = bed.Recorder.Calls("DescribeInstances").Single();
        Assert.Multiple(() =>
        {
            Assert.That(call["Version"], Is.EqualTo("2016-11-15"));
            Assert.That(call["Filter.1.Name"], Is.EqualTo("tag:awsrunner:batch"));
            Assert.That(call["Filter.1.Value.1"], Is.EqualTo("sweep1"));
            Assert.That(call.Headers["Authorization"], Does.StartWith("AWS4-HMAC-SHA256 Credential=testing/"));
            Assert.That(call.Headers["Authorization"], Does.Contain("/eu-west-1/ec2/aws4_request"));
            Assert.That(call.Headers.ContainsKey("X-Amz-Date"), Is.True);
        });
    }

    [Test]
    public async Task Throttling_IsRetriedWithGrowingJitteredDelays()
    {
        var time = new InstantTimeProvider();
        var tuning = AwsTestBed.FastTuning with { RetryBaseDelay = TimeSpan.FromSeconds(1), RetryMaxDelay = TimeSpan.FromSeconds(30) };
        await using var bed = AwsTestBed.Canned(time: time, tuning: tuning);
        var calls = 0;
        bed.Recorder.Answer = _ => Interlocked.Increment(ref calls) <= 3
            ? AwsRecorder.Ec2Error("RequestLimitExceeded", "Request limit exceeded.", HttpStatusCode.ServiceUnavailable)
            : AwsRecorder.Xml(HttpStatusCode.OK, EmptyDescribe);

        var nodes = await bed.Cloud.DescribeAsync("sweep1", CancellationToken.None);

        Assert.Multiple(() =>
        {
            Assert.That(nodes, Is.Empty);
            Assert.That(bed.Recorder.Calls("DescribeInstances"), Has.Count.EqualTo(4));
            Assert.That(time.Waits, Has.Count.EqualTo(3));
            Assert.That(time.Waits, Is.All.GreaterThan(TimeSpan.Zero).And.LessThanOrEqualTo(tuning.RetryMaxDelay));
            Assert.That(time.Waits.Sum(d => d.TotalSeconds), Is.GreaterThan(1), "the delays grow from the first one's");
        });
    }

    [Test]
    public async Task Throttling_DelaysDoubleOnAverageAndDifferFromBatchToBatch()
    {
        const int Batches = 30;
        var tuning = AwsTestBed.FastTuning with { MaxRetries = 6, RetryBaseDelay = TimeSpan.FromSeconds(1), RetryMaxDelay = TimeSpan.FromMinutes(5) };
        var delays = new List<IReadOnlyList<TimeSpan>>();
        for (var batch = 0; batch < Batches; batch++)
        {
            var time = new InstantTimeProvider();
            await using var bed = AwsTestBed.Canned(time: time, tuning: tuning);
            var calls = 0;
            bed.Recorder.Answer = _ => Interlocked.Increment(ref calls) <= 6
                ? AwsRecorder.Ec2Error("RequestLimitExceeded", "Request limit exceeded.", HttpStatusCode.ServiceUnavailable)
                : AwsRecorder.Xml(HttpStatusCode.OK, EmptyDescribe);

            await bed.Cloud.DescribeAsync("sweep1", CancellationToken.None);
            delays.Add([.. time.Waits]);
        }

        double Mean(int retry) => delays.Average(d => d[retry].TotalSeconds);
        Assert.Multiple(() =>
        {
            Assert.That(delays, Has.All.Count.EqualTo(6));
            // Exponential: three retries on, the wait is about 8 times longer (Polly's jitter starts gently, so the first
            // waits are not compared); a linear backoff gives 2 here, a constant one 1.
            Assert.That(Mean(5) / Mean(2), Is.GreaterThan(4), "the sixth wait against the third");
            // Jittered: many clients throttled at once must not come back in step.
            Assert.That(delays.Select(d => d[1]).Distinct().Count(), Is.GreaterThan(Batches / 2), "second waits that differ");
        });
    }

    [Test]
    public async Task Throttling_ThatNeverEnds_BecomesACloudErrorWithAHint()
    {
        await using var bed = AwsTestBed.Canned(time: new InstantTimeProvider());
        bed.Recorder.Answer = _ => AwsRecorder.Ec2Error("RequestLimitExceeded", "Request limit exceeded.", HttpStatusCode.ServiceUnavailable);

        var error = Assert.ThrowsAsync<CloudException>(() => bed.Cloud.DescribeAsync("sweep1", CancellationToken.None));

        Assert.Multiple(() =>
        {
            Assert.That(error!.Code, Is.EqualTo("RequestLimitExceeded"));
            Assert.That(error.RequestId, Is.EqualTo("req-RequestLimitExceeded"));
            Assert.That(error.Hint, Does.Contain("throttling"));
            Assert.That(bed.Recorder.Calls("DescribeInstances"), Has.Count.EqualTo(1 + AwsTestBed.FastTuning.MaxRetries));
        });
    }

    [Test]
    public async Task ClientError_IsNotRetried()
    {
        await using var bed = AwsTestBed.Canned(time: new InstantTimeProvider());
        bed.Recorder.Answer = _ => AwsRecorder.Ec2Error("AuthFailure", "AWS was not able to validate the provided access credentials");

        Assert.ThrowsAsync<CloudException>(() => bed.Cloud.DescribeAsync("sweep1", CancellationToken.None));

        Assert.That(bed.Recorder.Calls("DescribeInstances"), Has.Count.EqualTo(1));
    }

    [Test]
    public async Task DescribeInstances_MoreThanOnePage_FollowsNextTokenToTheEnd()
    {
        await using var bed = await AwsTestBed.OnMotoAsync(tuning: AwsTestBed.FastTuning with { Ec2PageSize = 2 });
        await bed.LaunchAsync("paged", AwsTestBed.Row(0, "t3.micro"), AwsTestBed.Row(1, "t3.small"), AwsTestBed.Row(2, "t3.large"),
            AwsTestBed.Row(3, "t3.nano"), AwsTestBed.Row(4, "t3.medium"));
        bed.Recorder.Clear();

        var nodes = await bed.Cloud.DescribeAsync("paged", CancellationToken.None);

        var pages = bed.Recorder.Calls("DescribeInstances");
        Assert.Multiple(() =>
        {
            Assert.That(nodes.Select(n => n.JobIndex), Is.EquivalentTo(Enumerable.Range(0, 5)));
            Assert.That(pages, Has.Count.EqualTo(3), "five reservations, two a page");
            Assert.That(pages[0].Form.ContainsKey("NextToken"), Is.False);
            Assert.That(pages.Skip(1).Select(p => p.Form.ContainsKey("NextToken")), Is.All.True);
            Assert.That(pages.Select(p => p["MaxResults"]), Is.All.EqualTo("2"));
        });
    }

    [Test]
    public async Task DescribeInstances_PageThrottled_IsRetriedFromItsOwnTokenNotFromTheFirstPage()
    {
        await using var bed = AwsTestBed.Canned(time: new InstantTimeProvider());
        var throttled = 0;
        bed.Recorder.Answer = call => call.Form.GetValueOrDefault("NextToken") switch
        {
            null => AwsRecorder.Xml(HttpStatusCode.OK, DescribePage(0, "page-2")),
            "page-2" when Interlocked.Increment(ref throttled) == 1 =>
                AwsRecorder.Ec2Error("RequestLimitExceeded", "Request limit exceeded.", HttpStatusCode.ServiceUnavailable),
            _ => AwsRecorder.Xml(HttpStatusCode.OK, DescribePage(1, null)),
        };

        var nodes = await bed.Cloud.DescribeAsync("sweep1", CancellationToken.None);

        Assert.Multiple(() =>
        {
            Assert.That(bed.Recorder.Calls("DescribeInstances").Select(c => c.Form.GetValueOrDefault("NextToken")), Is.EqualTo(new[] { null, "page-2", "page-2" }));
            Assert.That(nodes.Select(n => n.JobIndex), Is.EqualTo(new[] { 0, 1 }), "each page once");
        });
    }

    [Test]
    public async Task DescribeSecurityGroups_MoreThanOnePage_FollowsNextTokenToTheEnd()
    {
        // moto answers every group at once, so EC2's pages are canned.
        var recorder = new AwsRecorder
        {
            Answer = call => AwsRecorder.Xml(HttpStatusCode.OK, call.Form.ContainsKey("NextToken") ? GroupsPage(5, 7, null) : GroupsPage(0, 5, "groups-2")),
        };
        using var paged = new Ec2Client(
            SdkClients.Ec2(new AwsSession(AwsTestBed.Region, new Amazon.Runtime.BasicAWSCredentials("testing", "testing"), new Uri("http://127.0.0.1:9/"))
            {
                Handler = recorder.CreateHandler,
            }),
            Polly.ResiliencePipeline.Empty,
            pageSize: 5);

        var groups = await paged.DescribeSecurityGroupsAsync([AwsTags.Filter("paged")], CancellationToken.None);

        var pages = recorder.Calls("DescribeSecurityGroups");
        Assert.Multiple(() =>
        {
            Assert.That(groups.Select(g => g.GroupName), Is.EqualTo(Enumerable.Range(0, 7).Select(i => $"paged-{i}")));
            Assert.That(pages, Has.Count.EqualTo(2), "seven groups, five a page");
            Assert.That(pages.Select(p => p["MaxResults"]), Is.All.EqualTo("5"));
            Assert.That(pages[1]["NextToken"], Is.EqualTo("groups-2"));
            Assert.That(pages.Select(p => p["Filter.1.Name"]), Is.All.EqualTo("tag:awsrunner:batch"));
        });
    }

    /// <summary>A page of DescribeSecurityGroups with groups <c>paged-FROM</c> up to (not including) <c>paged-TO</c>.</summary>
    private static string GroupsPage(int from, int to, string? nextToken) =>
        """<DescribeSecurityGroupsResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"><requestId>req</requestId><securityGroupInfo>"""
        + string.Concat(Enumerable.Range(from, to - from).Select(i =>
            $"<item><ownerId>{AwsTestBed.Account}</ownerId><groupId>sg-{i:D17}</groupId><groupName>paged-{i}</groupName><groupDescription>paging</groupDescription>" +
            "<vpcId>vpc-1</vpcId><ipPermissions/><ipPermissionsEgress/></item>"))
        + $"</securityGroupInfo>{(nextToken is null ? "" : $"<nextToken>{nextToken}</nextToken>")}</DescribeSecurityGroupsResponse>";

    /// <summary>A page of DescribeInstances with one instance of batch sweep1 (row <paramref name="row"/>), and the next page's token.</summary>
    private static string DescribePage(int row, string? nextToken) =>
        $"""
        <DescribeInstancesResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"><requestId>req</requestId><reservationSet><item>
        <reservationId>r-{row}</reservationId><instancesSet><item><instanceId>i-{row:D17}</instanceId><instanceType>t3.micro</instanceType>
        <instanceState><code>16</code><name>running</name></instanceState><amiLaunchIndex>0</amiLaunchIndex><launchTime>2026-01-01T00:00:00.000Z</launchTime>
        <tagSet><item><key>awsrunner:batch</key><value>sweep1</value></item><item><key>awsrunner:rows</key><value>{row}</value></item></tagSet>
        </item></instancesSet></item></reservationSet>{(nextToken is null ? "" : $"<nextToken>{nextToken}</nextToken>")}</DescribeInstancesResponse>
        """;
}
