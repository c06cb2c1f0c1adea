namespace AwsRunner.Core.Cloud;

/// <summary>The port to a node's shell: run commands in its home folder, stream files to it.</summary>
public interface INodeShell : IAsyncDisposable
{
    /// <summary>Waits until the node answers (a booting node may refuse for a while).</summary>
    /// <param name="node">The node.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>A task that completes when a command can be run on the node.</returns>
    Task WaitReachableAsync(NodeInstance node, CancellationToken cancellationToken);

    /// <summary>Runs a bash command line on the node, in its home folder.</summary>
    /// <param name="node">The node.</param>
    /// <param name="command">The command line, already quoted for bash.</param>
    /// <param name="input">Streamed to the command's standard input (an upload), or null.</param>
    /// <param name="cancellationToken">Cancels the command.</param>
    /// <returns>The exit code and output.</returns>
    Task<ShellResult> RunAsync(NodeInstance node, string command, Stream? input, CancellationToken cancellationToken);
}
