using System.Collections.Concurrent;

namespace AwsRunner.Sim.Faults;

/// <summary>The faults a proxy injected, by lane, and the requests it forwarded: what a test asserts happened.</summary>
internal sealed class FaultTally
{
    private readonly ConcurrentDictionary<AwsLane, int> injected = new();
    private readonly ConcurrentDictionary<AwsLane, int> forwarded = new();

    public int Injected(AwsLane lane) => injected.GetValueOrDefault(lane);

    public int Forwarded(AwsLane lane) => forwarded.GetValueOrDefault(lane);

    public void CountInjected(AwsLane lane) => injected.AddOrUpdate(lane, 1, (_, n) => n + 1);

    public void CountForwarded(AwsLane lane) => forwarded.AddOrUpdate(lane, 1, (_, n) => n + 1);

    public override string ToString() =>
        string.Join(", ", Enum.GetValues<AwsLane>().Select(l => $"{l}: {Injected(l)} injected, {Forwarded(l)} forwarded"));
}
