namespace AwsRunner.Core.Cloud;

/// <summary>The port to a node's shell: run commands in its home folder, stream files to it, copy files to and from it.</summary>
internal interface INodeShell : IAsyncDisposable
{
    /// <summary>How these shells reach the nodes, for the batch to remember (see <see cref="ShellTransport"/>).</summary>
    ShellTransport Transport { get; }

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

    /// <summary>
    /// Copies a file or a folder (with everything in it) from this machine to the node, the way <c>scp -r</c> does:
    /// into <paramref name="remotePath"/> when that is a folder that exists, else as <paramref name="remotePath"/>.
    /// Folders missing on the way are made first, as <c>rsync --mkpath</c> does: the path's parent, or the path itself
    /// when it ends with a slash.
    /// </summary>
    /// <param name="node">The node.</param>
    /// <param name="localPath">The file or folder on this machine.</param>
    /// <param name="remotePath">Where it goes on the node; a relative path is relative to the node's home folder.</param>
    /// <param name="progress">Told how far each file has come, or null.</param>
    /// <param name="cancellationToken">Stops the copy; what was copied so far stays.</param>
    /// <returns>A task that completes when the copy is complete.</returns>
    /// <exception cref="CloudException">The node could not be reached, or refused the copy (no room, no such folder, no permission).</exception>
    Task CopyToNodeAsync(NodeInstance node, string localPath, string remotePath, IProgress<CopyProgress>? progress, CancellationToken cancellationToken);

    /// <summary>
    /// Copies a file or a folder (with everything in it) from the node to this machine, the way <c>scp -r</c> does:
    /// into <paramref name="localPath"/> when that is a folder that exists, else as <paramref name="localPath"/>.
    /// </summary>
    /// <param name="node">The node.</param>
    /// <param name="remotePath">The file or folder on the node; a relative path is relative to the node's home folder.</param>
    /// <param name="localPath">Where it goes on this machine.</param>
    /// <param name="progress">Told how far each file has come, or null.</param>
    /// <param name="cancellationToken">Stops the copy; what was copied so far stays.</param>
    /// <returns>A task that completes when the copy is complete.</returns>
    /// <exception cref="CloudException">The node could not be reached, or has no such file or folder.</exception>
    Task CopyFromNodeAsync(NodeInstance node, string remotePath, string localPath, IProgress<CopyProgress>? progress, CancellationToken cancellationToken);
}
