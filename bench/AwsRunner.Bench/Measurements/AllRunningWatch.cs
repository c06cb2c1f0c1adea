using System.Diagnostics;
using AwsRunner.Core.Cloud.Aws.Ec2;

namespace AwsRunner.Bench.Measurements;

/// <summary>
/// Starts the fan-out clock: the suite's own look at EC2 (moto), every 50 ms, until it lists every instance of a batch
/// as running. The same watch for both tools, so neither's clock depends on how that tool notices.
/// </summary>
internal static class AllRunningWatch
{
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(50);
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(5);

    /// <summary>The <see cref="Stopwatch"/> timestamp of the first look that found them all running, and that look.</summary>
    public static async Task<(long Timestamp, IReadOnlyList<Ec2Instance> Instances)> WaitAsync(
        Ec2Client ec2, Ec2Filter batch, int count, CancellationToken cancellationToken)
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            var instances = await ec2.DescribeInstancesAsync([batch], cancellationToken);
            if (instances.Count == count && instances.All(i => i.State == "running"))
            {
                return (Stopwatch.GetTimestamp(), instances);
            }

            if (deadline.Elapsed > Timeout)
            {
                throw new TimeoutException($"{instances.Count(i => i.State == "running")} of {count} instances ran after {Timeout}");
            }

            await Task.Delay(Interval, cancellationToken);
        }
    }
}
