using AwsRunner.Core.Cloud;

namespace AwsRunner.Tests.Support;

/// <summary>Instances in memory whose states a test sets, for orchestration tests.</summary>
internal sealed class FakeCloud : ICloud
{
    public List<NodeInstance> Instances { get; } = [];

    public int DescribeCalls { get; private set; }

    public Task CheckImageAsync(string imageId, CancellationToken cancellationToken) => Task.CompletedTask;

    public Task PrepareAccessAsync(string batch, CancellationToken cancellationToken) => Task.CompletedTask;

    public Task<LaunchResult> LaunchAsync(LaunchRequest request, CancellationToken cancellationToken) =>
        throw new NotSupportedException("launching is not part of these tests");

    public Task<IReadOnlyDictionary<string, int>> GetVcpusAsync(IReadOnlyCollection<string> instanceTypes, CancellationToken cancellationToken) =>
        throw new NotSupportedException("instance types are not part of these tests");

    // Every type is offered here.
    public Task<IReadOnlyDictionary<string, string?>> FindUnknownInstanceTypesAsync(IReadOnlyCollection<string> instanceTypes, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyDictionary<string, string?>>(new Dictionary<string, string?>());

    public Task<IReadOnlyList<NodeInstance>> DescribeAsync(string batch, CancellationToken cancellationToken)
    {
        DescribeCalls++;
        return Task.FromResult<IReadOnlyList<NodeInstance>>(Instances.Where(i => i.Batch == batch).ToList());
    }

    /// <summary>Every instance terminated, in order; each also becomes terminated in <see cref="Instances"/>.</summary>
    public List<string> Terminated { get; } = [];

    public Task TerminateAsync(string batch, IReadOnlyCollection<string> instanceIds, CancellationToken cancellationToken)
    {
        Terminated.AddRange(instanceIds);
        for (var i = 0; i < Instances.Count; i++)
        {
            if (Instances[i].Batch == batch && instanceIds.Contains(Instances[i].InstanceId))
            {
                Instances[i] = Instances[i] with { State = InstanceState.Terminated };
            }
        }

        return Task.CompletedTask;
    }

    public Task RemoveAccessAsync(string batch, CancellationToken cancellationToken) => Task.CompletedTask;

    public Task<IReadOnlyList<BatchInstances>> ListBatchesAsync(CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<BatchInstances>>([]);

    public int? NodesPerType => null;

    public IReadOnlyDictionary<string, string> NodeSettings(NodeInstance node) => new Dictionary<string, string>();
}
