using System.Diagnostics;
using Amazon.Runtime;
using AwsRunner.Bench.Infrastructure;
using AwsRunner.Core.Cloud.Aws.Ec2;
using Polly;

namespace AwsRunner.Bench.Measurements;

/// <summary>
/// How the original aws-runner (Python 2, boto) launched and followed a batch, as issue 7 describes it: one
/// RunInstances per row, one CreateTags per instance, and while waiting, one unfiltered DescribeInstances per instance
/// per poll. Sent as signed EC2 Query calls through the same client code awsrunner uses, so only the pattern differs.
/// </summary>
internal sealed class OriginalLaunchPattern(Uri endpoint, RequestTally tally)
{
    public async Task<LaunchCount> RunAsync(string imageId, IReadOnlyList<string> instanceTypes, TimeSpan pollInterval, CancellationToken cancellationToken)
    {
        using var transport = new AwsQueryTransport(
            new HttpClient(),
            new QuerySigningConfig("ec2", Ec2QueryClient.Version, ToolEnvironment.Region, endpoint),
            new BasicAWSCredentials("testing", "testing"),
            ResiliencePipeline.Empty);
        var clock = Stopwatch.StartNew();
        var atLaunch = tally.Read();
        var instances = new List<string>();
        for (var row = 0; row < instanceTypes.Count; row++)
        {
            var launched = await transport.SendAsync(
                Form("RunInstances").Add("ImageId", imageId).Add("InstanceType", instanceTypes[row]).Add("MinCount", 1).Add("MaxCount", 1), cancellationToken);
            var id = launched.Items("instancesSet").Single().Required("instanceId");
            await transport.SendAsync(Form("CreateTags").Add("ResourceId.1", id).Add("Tag.1.Key", "Name").Add("Tag.1.Value", $"job {row}"), cancellationToken);
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
                var described = await transport.SendAsync(Form("DescribeInstances"), cancellationToken);
                running += described.Items("reservationSet").SelectMany(r => r.Items("instancesSet"))
                    .Count(i => i.Text("instanceId") == id && i.Child("instanceState").Text("name") == "running");
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

    private static QueryForm Form(string action) => new(action, Ec2QueryClient.Version);
}
