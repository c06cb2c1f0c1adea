using System.Collections.Concurrent;
using AwsRunner.Core.Cloud;

namespace AwsRunner.Tests.Dispatch;

/// <summary>
/// A cloud that passes everything on to another, but whose nodes of the jobs listed stay pending until terminated, and
/// that may refuse every launch as an account at its limits.
/// </summary>
internal sealed class PendingCloud(ICloud inner) : ICloud
{
    public HashSet<int> Pending { get; } = [];

    public ConcurrentQueue<string> Terminated { get; } = new();

    public int Describes => describes;

    private int describes;

    public Task<IReadOnlyDictionary<string, string?>> FindUnknownInstanceTypesAsync(IReadOnlyCollection<string> instanceTypes, CancellationToken cancellationToken) =>
        inner.FindUnknownInstanceTypesAsync(instanceTypes, cancellationToken);

    public async Task<IReadOnlyList<NodeInstance>> DescribeAsync(string batch, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref describes);
        return (await inner.DescribeAsync(batch, cancellationToken))
            .Select(n => Pending.Contains(n.JobIndex) && n.State == InstanceState.Running ? n with { State = InstanceState.Pending } : n)
            .ToList();
    }

    public Task TerminateAsync(string batch, IReadOnlyCollection<string> instanceIds, CancellationToken cancellationToken)
    {
        foreach (var id in instanceIds)
        {
            Terminated.Enqueue(id);
        }

        return inner.TerminateAsync(batch, instanceIds, cancellationToken);
    }

    public Task CheckImageAsync(string imageId, CancellationToken cancellationToken) => inner.CheckImageAsync(imageId, cancellationToken);

    public Task PrepareAccessAsync(string batch, CancellationToken cancellationToken) => inner.PrepareAccessAsync(batch, cancellationToken);

    /// <summary>When set, every launch is refused for the account's limits with this reason, as EC2 refuses one instance.</summary>
    public string? RefuseEveryLaunch { get; set; }

    public Task<LaunchResult> LaunchAsync(LaunchRequest request, CancellationToken cancellationToken) => RefuseEveryLaunch is { } reason
        ? Task.FromResult(new LaunchResult([], $"EC2 launched 0 of {request.Rows.Count} instances: {reason}"))
        : inner.LaunchAsync(request, cancellationToken);

    public Task<IReadOnlyDictionary<string, int>> GetVcpusAsync(IReadOnlyCollection<string> instanceTypes, CancellationToken cancellationToken) =>
        inner.GetVcpusAsync(instanceTypes, cancellationToken);

    public Task RemoveAccessAsync(string batch, CancellationToken cancellationToken) => inner.RemoveAccessAsync(batch, cancellationToken);

    public Task<IReadOnlyList<BatchInstances>> ListBatchesAsync(CancellationToken cancellationToken) => inner.ListBatchesAsync(cancellationToken);

    public int? NodesPerType => inner.NodesPerType;

    public IReadOnlyDictionary<string, string> NodeSettings(NodeInstance node) => inner.NodeSettings(node);
}
