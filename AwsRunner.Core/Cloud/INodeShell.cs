namespace AwsRunner.Core.Cloud;

/// <summary>The port to a node's shell: run commands in its home folder, stream files to it.</summary>
public interface INodeShell : IAsyncDisposable
{
    /// <summary>Waits until the node answers (a booting node may refuse for a while).</summary>
    /// <param name="node">The node.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>A task that completes when a command can be run on the node.</returns>
    /// <exception cref="CloudException">The node did not answer in time, or cannot be trusted (its host key changed).</exception>
    Task WaitReachableAsync(NodeInstance node, CancellationToken cancellationToken);

    /// <summary>Runs a bash command line on the node, in its home folder.</summary>
    /// <param name="node">The node.</param>
    /// <param name="command">The command line, already quoted for bash; bash runs it whatever the node's login shell.</param>
    /// <param name="input">Streamed to the command's standard input (an upload), or null.</param>
    /// <param name="cancellationToken">Cancels the command.</param>
    /// <returns>The command's own exit code and output.</returns>
    /// <exception cref="CloudException">The node could not be reached, or the connection broke before the command finished.</exception>
    Task<ShellResult> RunAsync(NodeInstance node, string command, Stream? input, CancellationToken cancellationToken);

    /// <summary>
    /// Runs a bash command line on the node, or an interactive shell when <paramref name="command"/> is null, in its
    /// home folder, with this process's standard input, output and error (the user's terminal).
    /// </summary>
    /// <param name="node">The node.</param>
    /// <param name="command">The command line, already quoted for bash; null for a shell.</param>
    /// <param name="cancellationToken">Ends the session (kills it). A Ctrl-C typed at the terminal reaches the session itself.</param>
    /// <returns>The exit code of the command or shell; over SSH, 255 also when ssh itself failed (it said why on standard error).</returns>
    /// <exception cref="CloudException">The node could not be reached.</exception>
    Task<int> AttachAsync(NodeInstance node, string? command, CancellationToken cancellationToken);
}
