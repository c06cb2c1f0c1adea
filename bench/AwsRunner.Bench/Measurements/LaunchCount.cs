using AwsRunner.Bench.Infrastructure;

namespace AwsRunner.Bench.Measurements;

/// <summary>The requests of one launch, phase by phase.</summary>
/// <param name="Setup">Before the first instance is launched (image, key pair, security group, bucket).</param>
/// <param name="Launch">Launching.</param>
/// <param name="Tracking">Following the instances until every one runs.</param>
/// <param name="Polls">How many looks tracking took.</param>
/// <param name="Wall">The whole run's wall time.</param>
internal sealed record LaunchCount(RequestCounts Setup, RequestCounts Launch, RequestCounts Tracking, int Polls, TimeSpan Wall)
{
    public long LaunchAndTracking => Launch.Requests("ec2") + Tracking.Requests("ec2");
}
