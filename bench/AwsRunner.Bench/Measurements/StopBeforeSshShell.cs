using AwsRunner.Core.Cloud;

namespace AwsRunner.Bench.Measurements;

/// <summary>
/// The node shell of a create that must stop before SSH: moto's instances run nothing, and the public addresses it
/// makes up must never be contacted. The first time create wants to reach a node, the dispatch is cancelled.
/// </summary>
internal sealed class StopBeforeSshShell(CancellationTokenSource dispatch) : INodeShell
{
    private int reached;

    /// <summary>Whether create got as far as wanting a node: everything before SSH is done.</summary>
    public bool Reached => Volatile.Read(ref reached) == 1;

    public ShellTransport Transport { get; } = new("none", new Dictionary<string, string>());

    public async Task WaitReachableAsync(NodeInstance node, CancellationToken cancellationToken)
    {
        Interlocked.Exchange(ref reached, 1);
        await dispatch.CancelAsync();
        throw new OperationCanceledException(dispatch.Token);
    }

    public Task<ShellResult> RunAsync(NodeInstance node, string command, Stream? input, CancellationToken cancellationToken) =>
        throw new InvalidOperationException("the benchmark never runs a command on moto's instances");

    public Task<int> AttachAsync(NodeInstance node, string? command, CancellationToken cancellationToken) =>
        throw new InvalidOperationException("the benchmark never attaches to moto's instances");

    public Task CopyToNodeAsync(NodeInstance node, string localPath, string remotePath, IProgress<CopyProgress>? progress, CancellationToken cancellationToken) =>
        throw new InvalidOperationException("the benchmark never copies to moto's instances");

    public Task CopyFromNodeAsync(NodeInstance node, string remotePath, string localPath, IProgress<CopyProgress>? progress, CancellationToken cancellationToken) =>
        throw new InvalidOperationException("the benchmark never copies from moto's instances");

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
