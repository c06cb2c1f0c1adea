using System.Collections.Concurrent;
using System.ComponentModel;
using System.Diagnostics;
using AwsRunner.Core.Node;
using Microsoft.Extensions.Logging;
using Polly;
using Polly.Retry;

namespace AwsRunner.Core.Cloud.Ssh;

/// <summary>
/// Node shells over the system's OpenSSH client, the way Ansible drives it: every command is an <c>ssh</c>
/// process, and all of them to one node share one connection (ControlMaster), so a node's whole conversation
/// costs one TCP connection and one key exchange.
/// </summary>
internal sealed partial class SshNodeShell(SshOptions options, SshCommandLine commandLine, TimeProvider time, ILogger<SshNodeShell> logger)
    : INodeShell
{
    private const int LoggedCommandLength = 80;
    // A node that does not answer yet costs a refused connection a try; a longer wait leaves a node that has just
    // booted idle, 50 of them on a fleet.
    private static readonly TimeSpan FirstRetryDelay = TimeSpan.FromSeconds(0.5);
    private static readonly TimeSpan LongestRetryDelay = TimeSpan.FromSeconds(2);

    private readonly ConcurrentDictionary<string, SharedConnection> connections = new(StringComparer.Ordinal);

    public SshOptions Options => options;

    public async Task WaitReachableAsync(NodeInstance node, CancellationToken cancellationToken)
    {
        var started = time.GetTimestamp();
        TimeSpan Remaining() => options.BootTimeout - time.GetElapsedTime(started);
        var pipeline = new ResiliencePipelineBuilder { TimeProvider = time }
            .AddRetry(new RetryStrategyOptions
            {
                ShouldHandle = new PredicateBuilder().Handle<CloudException>(e => SshFailure.MayPass(e) && Remaining() > TimeSpan.Zero),
                MaxRetryAttempts = int.MaxValue,
                DelayGenerator = args => ValueTask.FromResult<TimeSpan?>(Backoff(args.AttemptNumber, Remaining())),
                OnRetry = args =>
                {
                    LogNotYetReachable(logger, node.JobIndex, node.InstanceId, args.RetryDelay, args.Outcome.Exception?.Message);
                    return ValueTask.CompletedTask;
                },
            })
            .Build();
        try
        {
            await pipeline.ExecuteAsync(
                async token => await RunAsync(node, "true", null, token).ConfigureAwait(false),
                cancellationToken).ConfigureAwait(false);
        }
        catch (CloudException e) when (SshFailure.MayPass(e))
        {
            throw new CloudException("BootTimeout", $"reach {SshFailure.Describe(node)} over SSH",
                $"no answer within {options.BootTimeout}; the last attempt said: {e.Detail}",
                hint: "a slow image may need a longer --boot-timeout; check that the firewall lets this machine in on port 22",
                inner: e);
        }
    }

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
            ?? throw SshFailure.From(node, "run a command", raw, commandLine.KnownHostsFile(node));
    }

    public async Task<int> AttachAsync(NodeInstance node, string? command, CancellationToken cancellationToken)
    {
        // Registered, so that a shared connection this session opens is closed with the others.
        Connection(node);
        var terminal = !Console.IsInputRedirected && !Console.IsOutputRedirected;
        var start = commandLine.Attach(node, command is null ? null : "exec bash -c " + ShellQuote.Quote(command), terminal);
        try
        {
            return await ChildProcess.AttachAsync(start, cancellationToken).ConfigureAwait(false);
        }
        catch (Win32Exception e)
        {
            throw SshFailure.MissingClient(e);
        }
    }

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

    private static async Task<ShellResult> StartAsync(ProcessStartInfo start, Stream? input, CancellationToken cancellationToken)
    {
        try
        {
            return await ChildProcess.RunAsync(start, input, cancellationToken).ConfigureAwait(false);
        }
        catch (Win32Exception e)
        {
            throw SshFailure.MissingClient(e);
        }
    }

    private static TimeSpan Backoff(int attempt, TimeSpan remaining)
    {
        var delay = FirstRetryDelay * Math.Pow(2, Math.Min(attempt, 10));
        return TimeSpan.FromTicks(Math.Max(0, Math.Min(Math.Min(delay.Ticks, LongestRetryDelay.Ticks), remaining.Ticks)));
    }

    private SharedConnection Connection(NodeInstance node)
    {
        if (node.Address is null)
        {
            throw new CloudException("NoAddress", $"reach {SshFailure.Describe(node)}", "the instance has no address (yet)");
        }

        return connections.GetOrAdd(commandLine.ControlPath(node), path =>
        {
            commandLine.CreateFolders(node);
            return new SharedConnection(node, path);
        });
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "ssh to job {Index}'s node {Instance}: {Command}")]
    private static partial void LogRunning(ILogger logger, int index, string instance, string command);

    [LoggerMessage(Level = LogLevel.Information, Message = "Job {Index}'s node {Instance} does not answer yet, trying again in {Delay}: {Error}")]
    private static partial void LogNotYetReachable(ILogger logger, int index, string instance, TimeSpan delay, string? error);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Closing the shared SSH connection to job {Index}'s node {Instance}")]
    private static partial void LogClosing(ILogger logger, int index, string instance);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not close the shared SSH connection {Socket}: {Error}")]
    private static partial void LogCloseFailed(ILogger logger, string socket, string error);
}
