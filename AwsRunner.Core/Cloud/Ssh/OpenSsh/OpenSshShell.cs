using System.Collections.Concurrent;
using System.ComponentModel;
using System.Diagnostics;
using Microsoft.Extensions.Logging;

namespace AwsRunner.Core.Cloud.Ssh.OpenSsh;

/// <summary>
/// Node shells over the system's OpenSSH client, the way Ansible drives it: every command is an <c>ssh</c>
/// process, and all of them to one node share one connection (ControlMaster), so a node's whole conversation
/// costs one TCP connection and one key exchange. The transport for what only an ssh_config can say.
/// </summary>
internal sealed partial class OpenSshShell(
    SshOptions options, ShellTransport transport, SshCommandLine commandLine, BatchSshFiles files, TimeProvider time, ILogger<OpenSshShell> logger)
    : INodeShell
{
    private const int LoggedCommandLength = 80;

    private readonly ConcurrentDictionary<string, SharedConnection> connections = new(StringComparer.Ordinal);

    public ShellTransport Transport => transport;

    public Task WaitReachableAsync(NodeInstance node, CancellationToken cancellationToken) =>
        BootWait.RunAsync(node, options.BootTimeout, time, logger, token => RunAsync(node, "true", null, token), cancellationToken);

    public async Task<ShellResult> RunAsync(NodeInstance node, string command, Stream? input, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(command);
        var connection = Connection(node);
        if (logger.IsEnabled(LogLevel.Debug))
        {
            LogRunning(logger, node.JobIndex, node.InstanceId, command.Length <= LoggedCommandLength ? command : command[..LoggedCommandLength] + "...");
        }

        var start = commandLine.Run(node, ExitStatusTrailer.Wrap(command));
        var raw = await connection.UseAsync(
            () => StartAsync(start, input, cancellationToken),
            result => ExitStatusTrailer.Remove(result) is not null,
            cancellationToken).ConfigureAwait(false);
        return ExitStatusTrailer.Remove(raw)
            ?? throw OpenSshFailure.From(node, "run a command", raw, files.KnownHostsFile(node));
    }

    public async Task<int> AttachAsync(NodeInstance node, string? command, CancellationToken cancellationToken)
    {
        // Registered, so that a shared connection this session opens is closed with the others.
        Connection(node);
        var terminal = !Console.IsInputRedirected && !Console.IsOutputRedirected;
        var start = commandLine.Attach(node, command is null ? null : RemoteBash.Exec(command), terminal);
        try
        {
            return await ChildProcess.AttachAsync(start, cancellationToken).ConfigureAwait(false);
        }
        catch (Win32Exception e)
        {
            throw OpenSshFailure.MissingClient(e);
        }
    }

    public async Task CopyToNodeAsync(NodeInstance node, string localPath, string remotePath, IProgress<CopyProgress>? progress, CancellationToken cancellationToken)
    {
        // scp makes no folder on the way; the copy does, as rsync --mkpath.
        if (RemoteBash.MakeFoldersFor(remotePath) is { } makeFolders)
        {
            var made = await RunAsync(node, makeFolders, null, cancellationToken).ConfigureAwait(false);
            if (made.ExitCode != 0)
            {
                throw SshFailure.Copy(node, "copy a file to", made.Error.Trim());
            }
        }

        await CopyAsync(node, commandLine.CopyTo(node, localPath, remotePath, quiet: progress is null), "copy a file to", cancellationToken).ConfigureAwait(false);
    }

    public Task CopyFromNodeAsync(NodeInstance node, string remotePath, string localPath, IProgress<CopyProgress>? progress, CancellationToken cancellationToken) =>
        CopyAsync(node, commandLine.CopyFrom(node, remotePath, localPath, quiet: progress is null), "copy a file from", cancellationToken);

    public async ValueTask DisposeAsync()
    {
        foreach (var connection in connections.Values)
        {
            using (connection)
            {
                if (!File.Exists(connection.ControlPath))
                {
                    continue;
                }

                LogClosing(logger, connection.Node.JobIndex, connection.Node.InstanceId);
                var result = await StartAsync(commandLine.Exit(connection.Node), null, CancellationToken.None).ConfigureAwait(false);
                if (result.ExitCode != 0)
                {
                    LogCloseFailed(logger, connection.ControlPath, result.Error.Trim());
                }
            }
        }

        connections.Clear();
    }

    /// <summary>
    /// scp's own progress meter shows on this terminal when progress is wanted (scp draws it only there); what scp
    /// says when it fails becomes the error.
    /// </summary>
    private async Task CopyAsync(NodeInstance node, ProcessStartInfo start, string attempting, CancellationToken cancellationToken)
    {
        var connection = Connection(node);
        var result = await connection.UseAsync(
            async () =>
            {
                try
                {
                    return await ChildProcess.RunShowingOutputAsync(start, cancellationToken).ConfigureAwait(false);
                }
                catch (Win32Exception e)
                {
                    throw OpenSshFailure.MissingClient(e);
                }
            },
            result => result.ExitCode == 0,
            cancellationToken).ConfigureAwait(false);
        if (result.ExitCode == 0)
        {
            return;
        }

        var said = OpenSshFailure.LastLines(result.Error);
        throw said.StartsWith("scp:", StringComparison.Ordinal)
            ? SshFailure.Copy(node, attempting, said)
            : OpenSshFailure.From(node, attempting, result, files.KnownHostsFile(node));
    }

    private static async Task<ShellResult> StartAsync(ProcessStartInfo start, Stream? input, CancellationToken cancellationToken)
    {
        try
        {
            return await ChildProcess.RunAsync(start, input, cancellationToken).ConfigureAwait(false);
        }
        catch (Win32Exception e)
        {
            throw OpenSshFailure.MissingClient(e);
        }
    }

    private SharedConnection Connection(NodeInstance node)
    {
        if (node.Address is null)
        {
            throw SshFailure.NoAddress(node);
        }

        return connections.GetOrAdd(commandLine.ControlPath(node), path =>
        {
            commandLine.CreateFolders(node);
            return new SharedConnection(node, path);
        });
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "ssh to job {Index}'s node {Instance}: {Command}")]
    private static partial void LogRunning(ILogger logger, int index, string instance, string command);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Closing the shared SSH connection to job {Index}'s node {Instance}")]
    private static partial void LogClosing(ILogger logger, int index, string instance);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not close the shared SSH connection {Socket}: {Error}")]
    private static partial void LogCloseFailed(ILogger logger, string socket, string error);
}
