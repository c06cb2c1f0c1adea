using System.Collections.Concurrent;
using System.ComponentModel;
using AwsRunner.Core.Cloud.Ssh.OpenSsh;
using Microsoft.Extensions.Logging;
using Renci.SshNet;
using Renci.SshNet.Common;

namespace AwsRunner.Core.Cloud.Ssh.SshNet;

/// <summary>
/// Node shells that talk SSH in this process (SSH.NET): one connection per node for all of a step's commands to it,
/// opened once and kept alive, each command a channel of its own with its exit status and its input streamed. No
/// child process, no socket file: the same on Linux, macOS and Windows. At most
/// <see cref="SshOptions.MaxOpenConnections"/> stay open; past that the least recently used idle one is closed. Only
/// a terminal session (<c>awsrunner ssh</c> on a terminal) runs the system's <c>ssh</c>.
/// </summary>
internal sealed partial class SshNetShell : INodeShell
{
    private const int LoggedCommandLength = 80;

    // Shells report a command killed by a signal as 128 + its number.
    private static readonly Dictionary<string, int> Signals = new(StringComparer.Ordinal)
    {
        ["HUP"] = 1, ["INT"] = 2, ["QUIT"] = 3, ["ILL"] = 4, ["ABRT"] = 6, ["FPE"] = 8, ["KILL"] = 9,
        ["USR1"] = 10, ["SEGV"] = 11, ["USR2"] = 12, ["PIPE"] = 13, ["ALRM"] = 14, ["TERM"] = 15,
    };

    // The byte RemoteBash.AfterFirstByte drops.
    private static readonly byte[] DroppedByte = [0];

    private readonly SshOptions options;
    private readonly BatchSshFiles files;
    private readonly TimeProvider time;
    private readonly ILogger<SshNetShell> logger;
    private readonly SshNetConnector connector;
    private readonly SshCommandLine terminalCommandLine;
    private readonly ConcurrentDictionary<string, NodeConnection> connections = new(StringComparer.Ordinal);

    public SshNetShell(SshOptions options, ShellTransport transport, BatchSshFiles files, TimeProvider time, ILoggerFactory loggers)
    {
        this.options = options;
        this.files = files;
        this.time = time;
        Transport = transport;
        logger = loggers.CreateLogger<SshNetShell>();
        connector = new SshNetConnector(options, files, loggers);
        terminalCommandLine = SshCommandLine.Standalone(options, files);
    }

    public ShellTransport Transport { get; }

    /// <summary>Connections open now (for the tests of the limit).</summary>
    internal int OpenConnections => connections.Values.Count(c => c.IsOpen);

    public Task WaitReachableAsync(NodeInstance node, CancellationToken cancellationToken) =>
        BootWait.RunAsync(node, options.BootTimeout, time, logger, async token =>
        {
            using var lease = await TakeAsync(node, token).ConfigureAwait(false);
        }, cancellationToken);

    public async Task<ShellResult> RunAsync(NodeInstance node, string command, Stream? input, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(command);
        if (logger.IsEnabled(LogLevel.Debug))
        {
            LogRunning(logger, node.JobIndex, node.InstanceId, command.Length <= LoggedCommandLength ? command : command[..LoggedCommandLength] + "...");
        }

        using var lease = await TakeAsync(node, cancellationToken).ConfigureAwait(false);
        using var remote = lease.Client.CreateCommand(input is null ? RemoteBash.WithoutInput(command) : RemoteBash.AfterFirstByte(command));
        await ExecuteAsync(node, lease, remote, input, null, null, cancellationToken).ConfigureAwait(false);
        return new ShellResult(ExitCode(node, remote), remote.Result, remote.Error);
    }

    public async Task<int> AttachAsync(NodeInstance node, string? command, CancellationToken cancellationToken)
    {
        if (!Console.IsInputRedirected && !Console.IsOutputRedirected)
        {
            return await AttachTerminalAsync(node, command, cancellationToken).ConfigureAwait(false);
        }

        // Input that is not a terminal is the session's; typing at a terminal while the output goes elsewhere is not.
        var input = Console.IsInputRedirected ? Console.OpenStandardInput() : null;
        var bash = command ?? "exec bash";
        using var lease = await TakeAsync(node, cancellationToken).ConfigureAwait(false);
        using var remote = lease.Client.CreateCommand(input is null ? RemoteBash.WithoutInput(bash) : RemoteBash.AfterFirstByte(bash));
        var output = Console.OpenStandardOutput();
        var error = Console.OpenStandardError();
        await using (output.ConfigureAwait(false))
        await using (error.ConfigureAwait(false))
        {
            await ExecuteAsync(node, lease, remote, input, output, error, cancellationToken).ConfigureAwait(false);
        }

        return ExitCode(node, remote);
    }

    public async Task CopyToNodeAsync(NodeInstance node, string localPath, string remotePath, IProgress<CopyProgress>? progress, CancellationToken cancellationToken)
    {
        var folder = Directory.Exists(localPath);
        if (!folder && !File.Exists(localPath))
        {
            throw new InvalidInputException("Path", $"{localPath}: no such file or folder");
        }

        if (RemoteBash.FoldersFor(remotePath) is { } parents)
        {
            await MakeFolderAsync(node, parents, cancellationToken).ConfigureAwait(false);
        }

        var into = await IsFolderAsync(node, remotePath, cancellationToken).ConfigureAwait(false);
        var target = into ? RemoteChild(remotePath, Path.GetFileName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(localPath)))) : remotePath;
        if (folder)
        {
            await MakeFolderAsync(node, target, cancellationToken).ConfigureAwait(false);
        }

        await CopyAsync(node, "copy files to", scp =>
        {
            scp.Uploading += (_, e) => progress?.Report(new CopyProgress { File = e.Filename, Copied = e.Uploaded, Size = e.Size });
            if (folder)
            {
                scp.Upload(new DirectoryInfo(localPath), target);
            }
            else
            {
                scp.Upload(new FileInfo(localPath), target);
            }
        }, cancellationToken).ConfigureAwait(false);
    }

    public async Task CopyFromNodeAsync(NodeInstance node, string remotePath, string localPath, IProgress<CopyProgress>? progress, CancellationToken cancellationToken)
    {
        var folder = await IsFolderAsync(node, remotePath, cancellationToken).ConfigureAwait(false);
        var target = Directory.Exists(localPath) ? Path.Combine(localPath, RemoteName(remotePath)) : localPath;
        await CopyAsync(node, "copy files from", scp =>
        {
            scp.Downloading += (_, e) => progress?.Report(new CopyProgress { File = e.Filename, Copied = e.Downloaded, Size = e.Size });
            if (folder)
            {
                scp.Download(remotePath, Directory.CreateDirectory(target));
            }
            else
            {
                scp.Download(remotePath, new FileInfo(target));
            }
        }, cancellationToken).ConfigureAwait(false);
    }

    public ValueTask DisposeAsync()
    {
        foreach (var connection in connections.Values)
        {
            if (connection.IsOpen)
            {
                LogClosing(logger, connection.Node.JobIndex, connection.Node.InstanceId);
            }

            connection.Dispose();
        }

        connections.Clear();
        connector.Dispose();
        return ValueTask.CompletedTask;
    }

    /// <summary>Runs a command to its end, its input streamed in and, when given, its output streamed out as it comes.</summary>
    private static async Task ExecuteAsync(
        NodeInstance node, NodeConnection.Lease lease, SshCommand remote, Stream? input, Stream? output, Stream? error, CancellationToken cancellationToken)
    {
        try
        {
            var execution = remote.ExecuteAsync(cancellationToken);
            var feeding = input is null ? Task.CompletedTask : FeedAsync(remote.CreateInputStream(), input, cancellationToken);
            if (output is not null && error is not null)
            {
                await Task.WhenAll(
                    remote.OutputStream.CopyToAsync(output, cancellationToken),
                    remote.ExtendedOutputStream.CopyToAsync(error, cancellationToken),
                    execution).ConfigureAwait(false);
            }
            else
            {
                await execution.ConfigureAwait(false);
            }

            // A command that ended without reading all of its input has no use for the rest; a write that waits on the
            // channel's window is released when the connection closes.
            if (feeding.IsCompleted)
            {
                await feeding.ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is SshException or IOException or ObjectDisposedException && !cancellationToken.IsCancellationRequested)
        {
            lease.Broken();
            throw SshFailure.NotReached(node, "run a command", $"the connection broke before the command finished: {e.Message}", e);
        }
    }

    private static async Task FeedAsync(Stream stdin, Stream input, CancellationToken cancellationToken)
    {
        try
        {
            await stdin.WriteAsync(DroppedByte, cancellationToken).ConfigureAwait(false);
            await input.CopyToAsync(stdin, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is SshException or IOException or ObjectDisposedException or InvalidOperationException)
        {
            // The command closed its input early; its exit code and error output say why.
        }
        finally
        {
            try
            {
                // The end of the input: a command that reads it to the end goes on.
                stdin.Dispose();
            }
            catch (Exception e) when (e is SshException or IOException or ObjectDisposedException or InvalidOperationException)
            {
                // The channel is closed already: nothing left to tell it.
            }
        }
    }

    private static int ExitCode(NodeInstance node, SshCommand remote) =>
        remote.ExitStatus
        ?? (remote.ExitSignal is { } signal ? 128 + Signals.GetValueOrDefault(signal, 127) : throw SshFailure.NotReached(
            node, "run a command", "the node closed the session without the command's exit status"));

    private async Task<int> AttachTerminalAsync(NodeInstance node, string? command, CancellationToken cancellationToken)
    {
        var address = node.Address ?? throw SshFailure.NoAddress(node);
        files.CreateBatchFolder(node);
        var remoteCommand = command is null ? null : RemoteBash.Exec(command);
        try
        {
            if (options.Proxy is not { } proxy)
            {
                return await ChildProcess.AttachAsync(terminalCommandLine.Attach(node, remoteCommand, terminal: true), cancellationToken).ConfigureAwait(false);
            }

            var relay = SocksRelay.Start(proxy, address, 22);
            await using (relay.ConfigureAwait(false))
            {
                return await ChildProcess.AttachAsync(
                    terminalCommandLine.Attach(node, remoteCommand, terminal: true, ("127.0.0.1", relay.Port)), cancellationToken).ConfigureAwait(false);
            }
        }
        catch (Win32Exception e)
        {
            throw OpenSshFailure.MissingClient(e);
        }
    }

    private async Task<bool> IsFolderAsync(NodeInstance node, string remotePath, CancellationToken cancellationToken) =>
        (await RunAsync(node, RemoteBash.IsFolder(remotePath), null, cancellationToken).ConfigureAwait(false)).ExitCode == 0;

    private async Task MakeFolderAsync(NodeInstance node, string remotePath, CancellationToken cancellationToken)
    {
        var made = await RunAsync(node, RemoteBash.MakeFolder(remotePath), null, cancellationToken).ConfigureAwait(false);
        if (made.ExitCode != 0)
        {
            throw SshFailure.Copy(node, "copy files to", made.Error.Trim());
        }
    }

    private async Task CopyAsync(NodeInstance node, string attempting, Action<ScpClient> copy, CancellationToken cancellationToken)
    {
        using var scp = await connector.OpenCopyAsync(node, cancellationToken).ConfigureAwait(false);
        // SSH.NET's SCP is synchronous: cancelling closes its connection under it.
        using var closing = cancellationToken.Register(scp.Dispose);
        try
        {
            await Task.Run(() => copy(scp), cancellationToken).ConfigureAwait(false);
        }
        catch (ScpException e)
        {
            throw SshFailure.Copy(node, attempting, e.Message, e);
        }
        catch (Exception e) when (e is SshException or IOException or ObjectDisposedException)
        {
            cancellationToken.ThrowIfCancellationRequested();
            throw SshFailure.NotReached(node, attempting, $"the connection broke before the copy finished: {e.Message}", e);
        }
    }

    private async Task<NodeConnection.Lease> TakeAsync(NodeInstance node, CancellationToken cancellationToken)
    {
        var connection = connections.GetOrAdd(node.InstanceId, _ => new NodeConnection(node));
        var wasOpen = connection.IsOpen;
        var lease = await connection.TakeAsync(token => connector.OpenAsync(node, token), time.GetTimestamp(), cancellationToken).ConfigureAwait(false);
        if (!wasOpen)
        {
            CloseIdleBeyondLimit(connection);
        }

        return lease;
    }

    /// <summary>Keeps memory bounded however many nodes a step talks to: the least recently used idle connections go first.</summary>
    private void CloseIdleBeyondLimit(NodeConnection opened)
    {
        var open = connections.Values.Where(c => c.IsOpen).ToList();
        var excess = open.Count - options.MaxOpenConnections;
        foreach (var idle in open.Where(c => c != opened).OrderBy(c => c.LastUsed))
        {
            if (excess <= 0)
            {
                break;
            }

            if (idle.CloseIfIdle())
            {
                LogClosingIdle(logger, idle.Node.JobIndex, idle.Node.InstanceId, options.MaxOpenConnections);
                excess--;
            }
        }
    }

    private static string RemoteChild(string folder, string name) => folder.TrimEnd('/') + "/" + name;

    private static string RemoteName(string remotePath) => remotePath.TrimEnd('/').Split('/')[^1];

    [LoggerMessage(Level = LogLevel.Debug, Message = "SSH to job {Index}'s node {Instance}: {Command}")]
    private static partial void LogRunning(ILogger logger, int index, string instance, string command);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Closing the SSH connection to job {Index}'s node {Instance}")]
    private static partial void LogClosing(ILogger logger, int index, string instance);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Closing the idle SSH connection to job {Index}'s node {Instance}: more than {Limit} are open")]
    private static partial void LogClosingIdle(ILogger logger, int index, string instance, int limit);
}
