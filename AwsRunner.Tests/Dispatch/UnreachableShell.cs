using AwsRunner.Core;
using AwsRunner.Core.Cloud;

namespace AwsRunner.Tests.Dispatch;

/// <summary>A node shell that passes everything on to another, but cannot reach the nodes of the jobs listed (a blocked port 22).</summary>
internal sealed class UnreachableShell(INodeShell inner) : INodeShell
{
    public HashSet<int> Unreachable { get; } = [];

    public ShellTransport Transport => inner.Transport;

    public Task WaitReachableAsync(NodeInstance node, CancellationToken cancellationToken) =>
        Unreachable.Contains(node.JobIndex) ? throw Refused(node) : inner.WaitReachableAsync(node, cancellationToken);

    public Task<ShellResult> RunAsync(NodeInstance node, string command, Stream? input, CancellationToken cancellationToken) =>
        Unreachable.Contains(node.JobIndex) ? throw Refused(node) : inner.RunAsync(node, command, input, cancellationToken);

    public Task<int> AttachAsync(NodeInstance node, string? command, CancellationToken cancellationToken) => inner.AttachAsync(node, command, cancellationToken);

    public Task CopyToNodeAsync(NodeInstance node, string localPath, string remotePath, IProgress<CopyProgress>? progress, CancellationToken cancellationToken) =>
        inner.CopyToNodeAsync(node, localPath, remotePath, progress, cancellationToken);

    public Task CopyFromNodeAsync(NodeInstance node, string remotePath, string localPath, IProgress<CopyProgress>? progress, CancellationToken cancellationToken) =>
        inner.CopyFromNodeAsync(node, remotePath, localPath, progress, cancellationToken);

    public ValueTask DisposeAsync() => inner.DisposeAsync();

    private static CloudException Refused(NodeInstance node) =>
        new("ConnectionRefused", $"reach job {node.JobIndex}'s node", "connection refused on port 22");
}
