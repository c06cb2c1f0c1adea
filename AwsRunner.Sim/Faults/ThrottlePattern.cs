using System.Collections.Concurrent;

namespace AwsRunner.Sim.Faults;

/// <summary>
/// Throttling for a while: in each lane, the first request and then every <paramref name="every"/>-th one is refused
/// (EC2 alternately with RequestLimitExceeded and a plain 503, S3 with SlowDown), until the lane has had
/// <paramref name="limit"/> faults. Counting per lane means every lane is hit, however the requests interleave.
/// </summary>
internal sealed class ThrottlePattern(int every, int limit) : IFaultPolicy
{
    private readonly ConcurrentDictionary<AwsLane, int> seen = new();

    public ValueTask<Fault?> DecideAsync(AwsCall call, CancellationToken cancellationToken)
    {
        if (call.Lane == AwsLane.Other)
        {
            return ValueTask.FromResult<Fault?>(null);
        }

        var number = seen.AddOrUpdate(call.Lane, 1, (_, n) => n + 1) - 1;
        Fault? fault = number % every != 0 || number / every >= limit
            ? null
            : call.Lane == AwsLane.Ec2
                ? (number / every % 2 == 0 ? Fault.RequestLimitExceeded : Fault.ServiceUnavailable)
                : Fault.SlowDown;
        return ValueTask.FromResult(fault);
    }
}
