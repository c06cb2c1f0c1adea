using Microsoft.Extensions.Logging;
using Polly;
using Polly.Retry;

namespace AwsRunner.Core.Cloud.Ssh;

/// <summary>
/// Tries a booting node until it answers: after 0.5 s, 1 s, then every 2 s, until the node's boot timeout (counted
/// from its launch) has passed. Only failures that may pass (<see cref="SshFailure.MayPass"/>) are tried again.
/// </summary>
internal static partial class BootWait
{
    // A node that does not answer yet costs a refused connection a try; a longer wait leaves a node that has just
    // booted idle, 50 of them on a fleet.
    private static readonly TimeSpan FirstRetryDelay = TimeSpan.FromSeconds(0.5);
    private static readonly TimeSpan LongestRetryDelay = TimeSpan.FromSeconds(2);

    public static async Task RunAsync(
        NodeInstance node, TimeSpan bootTimeout, TimeProvider time, ILogger logger, Func<CancellationToken, Task> attempt, CancellationToken cancellationToken)
    {
        var deadline = node.LaunchTime + bootTimeout;
        TimeSpan Remaining() => deadline - time.GetUtcNow();
        var pipeline = new ResiliencePipelineBuilder { TimeProvider = time }
            .AddRetry(new RetryStrategyOptions
            {
                ShouldHandle = new PredicateBuilder().Handle<CloudException>(e => SshFailure.MayPass(e) && Remaining() > TimeSpan.Zero),
                MaxRetryAttempts = int.MaxValue,
                DelayGenerator = args => ValueTask.FromResult<TimeSpan?>(Backoff(args.AttemptNumber, Remaining())),
                OnRetry = args =>
                {
                    LogNotYetReachable(logger, node.JobIndex, node.InstanceId, args.RetryDelay, args.Outcome.Exception?.Message);
                    return ValueTask.CompletedTask;
                },
            })
            .Build();
        try
        {
            await pipeline.ExecuteAsync(async token => await attempt(token).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
        }
        catch (CloudException e) when (SshFailure.MayPass(e))
        {
            throw new CloudException("BootTimeout", $"reach {SshFailure.Describe(node)} over SSH",
                $"no answer within {bootTimeout} of its launch; the last attempt said: {e.Detail}",
                hint: "a slow image may need a longer SshOptions.BootTimeout; check that the firewall lets this machine in on port 22",
                inner: e);
        }
    }

    private static TimeSpan Backoff(int attempt, TimeSpan remaining)
    {
        var delay = FirstRetryDelay * Math.Pow(2, Math.Min(attempt, 10));
        return TimeSpan.FromTicks(Math.Max(0, Math.Min(Math.Min(delay.Ticks, LongestRetryDelay.Ticks), remaining.Ticks)));
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Job {Index}'s node {Instance} does not answer yet, trying again in {Delay}: {Error}")]
    private static partial void LogNotYetReachable(ILogger logger, int index, string instance, TimeSpan delay, string? error);
}
