using System.Diagnostics;
using Amazon.EC2;
using Amazon.EC2.Model;
using Amazon.Runtime;
using AwsRunner.Bench.Infrastructure;
using AwsRunner.Core.Cloud.Aws;

namespace AwsRunner.Bench.Measurements;

/// <summary>
/// How the original aws-runner (Python 2, boto) launched and followed a batch, as issue 7 describes it: one
/// RunInstances per row, one CreateTags per instance, and while waiting, one unfiltered DescribeInstances per instance
/// per poll. Sent through the same AWSSDK.EC2 client awsrunner uses, so only the pattern differs.
/// </summary>
internal sealed class OriginalLaunchPattern(Uri endpoint, RequestTally tally)
{
    public async Task<LaunchCount> RunAsync(string imageId, IReadOnlyList<string> instanceTypes, TimeSpan pollInterval, CancellationToken cancellationToken)
    {
        using var ec2 = SdkClients.Ec2(new AwsSession(ToolEnvironment.Region, new BasicAWSCredentials("testing", "testing"), endpoint));
        var clock = Stopwatch.StartNew();
        var atLaunch = tally.Read();
        var instances = new List<string>();
        for (var row = 0; row < instanceTypes.Count; row++)
        {
            var launched = await ec2.RunInstancesAsync(
                new RunInstancesRequest { ImageId = imageId, InstanceType = InstanceType.FindValue(instanceTypes[row]), MinCount = 1, MaxCount = 1 }, cancellationToken);
            var id = launched.Reservation.Instances.Single().InstanceId;
            await ec2.CreateTagsAsync(new CreateTagsRequest { Resources = [id], Tags = [new Tag("Name", $"job {row}")] }, cancellationToken);
            instances.Add(id);
        }

        var atTracking = tally.Read();
        var polls = 0;
        while (true)
        {
            polls++;
            var running = 0;
            foreach (var id in instances)
            {
                var described = await ec2.DescribeInstancesAsync(new DescribeInstancesRequest(), cancellationToken);
                running += (described.Reservations ?? []).SelectMany(r => r.Instances ?? [])
                    .Count(i => i.InstanceId == id && i.State?.Name == InstanceStateName.Running);
            }

            if (running == instances.Count)
            {
                break;
            }

            await Task.Delay(pollInterval, cancellationToken);
        }

        var end = tally.Read();
        return new LaunchCount(new RequestCounts(new Dictionary<AwsRequest, (long, long)>()), atTracking.Minus(atLaunch), end.Minus(atTracking), polls, clock.Elapsed);
    }
}
