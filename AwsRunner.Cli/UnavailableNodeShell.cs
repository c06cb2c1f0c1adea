using AwsRunner.Core;
using AwsRunner.Core.Cloud;

namespace AwsRunner.Cli;

/// <summary>
/// Stands in for the SSH transport to AWS nodes, which is not part of this build yet: every use fails with a clear
/// error, so the AWS side (bucket, key pair, firewall, instances, status, fetch, down) can be used and tested meanwhile.
/// </summary>
internal sealed class UnavailableNodeShell : INodeShell
{
    public Task WaitReachableAsync(NodeInstance node, CancellationToken cancellationToken) => throw Unavailable(node);

    public Task<ShellResult> RunAsync(NodeInstance node, string command, Stream? input, CancellationToken cancellationToken) => throw Unavailable(node);

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    private static CloudException Unavailable(NodeInstance node) =>
        new("NoSshTransport", $"reach node {node.InstanceId} (job {node.JobIndex}) over SSH", "this build of awsrunner has no SSH transport yet",
            hint: $"remove the instances with: awsrunner down {node.Batch}");
}
