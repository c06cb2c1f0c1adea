using System.Collections.Concurrent;
using AwsRunner.Core.Cloud;

namespace AwsRunner.Tests.Dispatch;

/// <summary>A node shell that passes everything on to another, and keeps the commands run, in order, by job.</summary>
internal sealed class RecordingShell(INodeShell inner) : INodeShell
{
    private readonly ConcurrentQueue<(int Job, string Command)> commands = new();

    public IReadOnlyList<string> CommandsOf(int job) => commands.Where(c => c.Job == job).Select(c => c.Command).ToList();

    public Task WaitReachableAsync(NodeInstance node, CancellationToken cancellationToken) => inner.WaitReachableAsync(node, cancellationToken);

    public Task<ShellResult> RunAsync(NodeInstance node, string command, Stream? input, CancellationToken cancellationToken)
    {
        commands.Enqueue((node.JobIndex, command));
        return inner.RunAsync(node, command, input, cancellationToken);
    }

    public ShellTransport Transport => inner.Transport;

    public Task<int> AttachAsync(NodeInstance node, string? command, CancellationToken cancellationToken) => inner.AttachAsync(node, command, cancellationToken);

    public Task CopyToNodeAsync(NodeInstance node, string localPath, string remotePath, IProgress<CopyProgress>? progress, CancellationToken cancellationToken) =>
        inner.CopyToNodeAsync(node, localPath, remotePath, progress, cancellationToken);

    public Task CopyFromNodeAsync(NodeInstance node, string remotePath, string localPath, IProgress<CopyProgress>? progress, CancellationToken cancellationToken) =>
        inner.CopyFromNodeAsync(node, remotePath, localPath, progress, cancellationToken);

    public ValueTask DisposeAsync() => inner.DisposeAsync();
}
