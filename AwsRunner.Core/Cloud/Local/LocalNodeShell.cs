using System.Diagnostics;

namespace AwsRunner.Core.Cloud.Local;

/// <summary>Runs commands on a local node: bash in the node's home, with HOME pointing there.</summary>
internal sealed class LocalNodeShell : INodeShell
{
    public ShellTransport Transport { get; } = new("local", new Dictionary<string, string>());

    public Task WaitReachableAsync(NodeInstance node, CancellationToken cancellationToken) =>
        node.State == InstanceState.Running && Directory.Exists(node.Address)
            ? Task.CompletedTask
            : throw new CloudException("NodeGone", $"reach local node {node.InstanceId} (job {node.JobIndex})",
                "the node is not running", hint: "run the dispatch with DispatchOptions.Create again to replace it");

    public Task<ShellResult> RunAsync(NodeInstance node, string command, Stream? input, CancellationToken cancellationToken) =>
        ChildProcess.RunAsync(Bash(node, ["-c", command]), input, cancellationToken);

    public Task<int> AttachAsync(NodeInstance node, string? command, CancellationToken cancellationToken) =>
        ChildProcess.AttachAsync(Bash(node, command is null ? [] : ["-c", command]), cancellationToken);

    public Task CopyToNodeAsync(NodeInstance node, string localPath, string remotePath, IProgress<CopyProgress>? progress, CancellationToken cancellationToken) =>
        LocalCopy.CopyAsync(localPath, OnNode(node, remotePath), $"copy {localPath} to local node {node.InstanceId}", progress, cancellationToken, makeFolders: true);

    public Task CopyFromNodeAsync(NodeInstance node, string remotePath, string localPath, IProgress<CopyProgress>? progress, CancellationToken cancellationToken) =>
        LocalCopy.CopyAsync(OnNode(node, remotePath), localPath, $"copy {remotePath} from local node {node.InstanceId}", progress, cancellationToken);

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    private static string OnNode(NodeInstance node, string path) =>
        Path.Combine(node.Address ?? throw new ArgumentException("a local node has its home as address", nameof(node)), path);

    private static ProcessStartInfo Bash(NodeInstance node, string[] arguments)
    {
        var home = node.Address ?? throw new ArgumentException("a local node has its home as address", nameof(node));
        var start = new ProcessStartInfo("bash", arguments) { WorkingDirectory = home };
        start.Environment["HOME"] = home;
        // Every process the node starts inherits this; its power-off finds them by it.
        start.Environment["AWSRUNNER_LOCAL_NODE"] = LocalPaths.NodeOfHome(home);
        return start;
    }
}
