using AwsRunner.Bench.Infrastructure;
using AwsRunner.Core.Dispatch;

namespace AwsRunner.Bench.Measurements;

/// <summary>
/// Reads the proxy's counts as create moves on: at the first job launching (setup is done: image, bucket, key pair,
/// security group) and at the first booting (the launch is done; what follows is tracking). Reported synchronously,
/// on create's own thread, so a reading falls exactly between two calls.
/// </summary>
internal sealed class LaunchPhases(RequestTally tally) : IProgress<NodeProgress>
{
    private readonly Lock gate = new();

    public RequestCounts? AtLaunch { get; private set; }

    public RequestCounts? AtTracking { get; private set; }

    public void Report(NodeProgress value)
    {
        lock (gate)
        {
            if (value.State == JobState.Launching && AtLaunch is null)
            {
                AtLaunch = tally.Read();
            }
            else if (value.State == JobState.Booting && AtTracking is null)
            {
                AtTracking = tally.Read();
            }
        }
    }
}
