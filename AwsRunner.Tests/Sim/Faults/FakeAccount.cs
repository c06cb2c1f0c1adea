using AwsRunner.Sim.Ec2;

namespace AwsRunner.Tests.Sim.Faults;

/// <summary>An account's live instances as a test sets them, with a small table of vCPUs per type.</summary>
internal sealed class FakeAccount : IAccountInstances
{
    private static readonly Dictionary<string, int> Vcpus = new(StringComparer.Ordinal)
    {
        ["t3.micro"] = 2,
        ["c5.large"] = 2,
        ["m5.xlarge"] = 4,
        ["m1.small"] = 1,
    };

    public List<LiveInstance> Live { get; } = [];

    public Task<IReadOnlyList<LiveInstance>> LiveAsync(IReadOnlyCollection<string>? instanceIds, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<LiveInstance>>(Live.Where(i => instanceIds is null || instanceIds.Contains(i.InstanceId)).ToList());

    public Task<int> VcpusAsync(string instanceType, CancellationToken cancellationToken) => Task.FromResult(Vcpus[instanceType]);

    public void Add(string instanceType, int count, bool spot = false, string? clientToken = null)
    {
        for (var i = 0; i < count; i++)
        {
            Live.Add(new LiveInstance($"i-{Live.Count:x8}", instanceType, spot, clientToken));
        }
    }
}
