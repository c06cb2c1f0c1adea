using System.Collections.Concurrent;
using System.Threading.Channels;
using AwsRunner.Core.Cloud;
using AwsRunner.Core.Node;
using AwsRunner.Core.Queue;
using Microsoft.Extensions.Logging;

namespace AwsRunner.Core.Dispatch;

/// <summary>
/// The dispatch step: each ready node is handed the queue of its instance type (its <c>work.env</c> and
/// <c>queue.env</c>) and the secrets over SSH, and starts working through it detached; returns once every node has
/// confirmed the start. Starting twice starts nothing new: the runner's start is locked and a working node keeps its
/// files.
/// </summary>
internal sealed partial class WorkStarter(CloudConnection connection, ILogger<WorkStarter> logger)
{
    // Presigned URLs must outlive the dead man's switch, and then some for a slow last upload.
    public static readonly TimeSpan UrlMargin = TimeSpan.FromHours(6);

    // stdin is a tar of the node's files, unpacked beside them and moved into place, so the runner never reads half a
    // file. A node that works already keeps what it has: its rows run once.
    internal static readonly string StartCommand =
        $"(umask 077 && t=$(mktemp -d {NodeRunnerScript.Folder}/in.XXXXXX) && tar -xf - -C \"$t\" && " +
        $"if [ -s {NodeRunnerScript.Folder}/{NodeRunnerScript.WorkPidFile} ]; then :; " +
        $"else mv -f \"$t\"/* {NodeRunnerScript.Folder}/; fi; rc=$?; rm -rf \"$t\"; exit $rc) && " +
        NodeRunnerScript.Command("start", "work");

    private readonly ConcurrentBag<string> working = [];

    /// <summary>Hands the queue to each seat's node that is up; a seat without one is said so.</summary>
    public async Task<IReadOnlyList<NodeOutcome>> StartAsync(DispatchRound round, IProgress<NodeProgress>? progress, CancellationToken cancellationToken)
    {
        var document = round.Ledger.Document;
        var nodes = document.NodesById();
        var live = (await connection.Cloud.DescribeAsync(round.Name, cancellationToken).ConfigureAwait(false))
            .Where(n => n.State == InstanceState.Running)
            .ToDictionary(n => n.InstanceId, StringComparer.Ordinal);
        var seats = document.Seats.Where(s => round.Seats.Contains(s.Row)).ToList();

        var outcomes = new ConcurrentDictionary<int, NodeOutcome>();
        await Parallel.ForEachAsync(
            seats,
            new ParallelOptions { MaxDegreeOfParallelism = round.Options.Parallel, CancellationToken = cancellationToken },
            async (seat, token) =>
            {
                var outcome = seat.Node is { } id && live.TryGetValue(id, out var node)
                    ? await StartOneAsync(round, seat.Row, node, token).ConfigureAwait(false)
                    : NotStarted(seat.Row, seat.Node is { } known ? nodes.GetValueOrDefault(known) : null, seat.Node);
                outcomes[seat.Row] = outcome;
                progress?.Report(new NodeProgress { Index = outcome.Index, State = outcome.State, Detail = outcome.Detail });
            }).ConfigureAwait(false);

        await RecordWorkingAsync(round, cancellationToken).ConfigureAwait(false);
        return seats
            .Select(s => new NodeOutcome(outcomes[s.Row]) { SpotRefusal = outcomes[s.Row].InstanceId is { } id ? live.GetValueOrDefault(id)?.SpotRefusal : null })
            .ToList();
    }

    /// <summary>
    /// Hands each node its work as the create hands the node over, as many at once as the options allow, until the create
    /// is done; the caller then records the starts (<see cref="RecordWorkingAsync"/>).
    /// </summary>
    public async Task<IReadOnlyDictionary<int, NodeOutcome>> StartEachAsync(
        DispatchRound round, ChannelReader<ReadyNode> ready, IProgress<NodeProgress>? progress, CancellationToken cancellationToken)
    {
        var outcomes = new ConcurrentDictionary<int, NodeOutcome>();
        await Parallel.ForEachAsync(
            ready.ReadAllAsync(cancellationToken),
            new ParallelOptions { MaxDegreeOfParallelism = round.Options.Parallel, CancellationToken = cancellationToken },
            async (node, token) =>
            {
                var outcome = await StartOneAsync(round, node.Seat, node.Node, token).ConfigureAwait(false);
                outcomes[node.Seat] = outcome;
                progress?.Report(new NodeProgress { Index = outcome.Index, State = outcome.State, Detail = outcome.Detail });
            }).ConfigureAwait(false);
        return outcomes;
    }

    /// <summary>Notes in the ledger when each node that started was first handed its work, on the bucket's clock.</summary>
    public async Task RecordWorkingAsync(DispatchRound round, CancellationToken cancellationToken)
    {
        var started = working.Distinct(StringComparer.Ordinal).ToList();
        if (started.Count == 0)
        {
            return;
        }

        var now = await connection.Results.ServerNowAsync(round.Bucket, cancellationToken).ConfigureAwait(false);
        var secrets = round.Secrets.Select(s => s.Key).ToList();
        await round.Ledger.ChangeAsync(d => d.Working(started, now, secrets), cancellationToken).ConfigureAwait(false);
    }

    private async Task<NodeOutcome> StartOneAsync(DispatchRound round, int seat, NodeInstance node, CancellationToken cancellationToken)
    {
        var document = round.Ledger.Document;
        var ofType = document.Seats.Where(s => s.InstanceType == node.InstanceType).Select(s => s.Row).Order().ToList();
        var queueNode = new QueueNode(node.InstanceId, node.InstanceType, node.Spot, Math.Max(0, ofType.IndexOf(seat)), Math.Max(1, ofType.Count));
        var queue = await round.Queue(cancellationToken).ConfigureAwait(false);
        var files = queue.ForNode(queueNode, round.NodeSettings(node.InstanceType)).Files;
        using var stream = NodeFilesTar.Write(
        [
            .. files,
            .. round.Secrets.Count == 0 ? [] : new[] { KeyValuePair.Create(NodeVariables.SecretsFile, NodeVariables.Format(round.Secrets)) },
        ]);
        ShellResult result;
        try
        {
            result = await connection.Shell.RunAsync(node, StartCommand, stream, cancellationToken).ConfigureAwait(false);
        }
        catch (CloudException e)
        {
            return new NodeOutcome { Index = seat, InstanceId = node.InstanceId, State = JobState.Unreachable, Detail = e.Message };
        }

        if (result.ExitCode != 0)
        {
            LogStartFailed(logger, seat, result.ExitCode, result.Error);
            return new NodeOutcome { Index = seat, InstanceId = node.InstanceId, State = JobState.Unreachable, ExitCode = result.ExitCode, Detail = $"its work could not be started: {result.Error.Trim()}" };
        }

        working.Add(node.InstanceId);
        var state = result.Output.Trim().Split('\n')[^1];
        return new NodeOutcome { Index = seat, InstanceId = node.InstanceId, State = JobStates.FromRunner(state) };
    }

    private static NodeOutcome NotStarted(int seat, Ledger.LedgerNode? node, string? recorded) =>
        node?.Install == JobState.InstallFailed.ToName()
            ? new NodeOutcome { Index = seat, InstanceId = node.Id, State = JobState.InstallFailed, ExitCode = node.InstallExitCode, Detail = "INSTALL.sh failed on this node; not dispatched" }
        : node?.Install == JobState.Unreachable.ToName()
            ? new NodeOutcome { Index = seat, InstanceId = node.Id, State = JobState.Unreachable, Detail = "the node could not be reached at create; not dispatched" }
        : new NodeOutcome { Index = seat, InstanceId = recorded, State = JobState.Lost, Detail = "the seat has no running node; run the dispatch with DispatchOptions.Create to launch one" };

    [LoggerMessage(Level = LogLevel.Warning, Message = "Starting the work of seat {Seat}'s node failed with exit code {ExitCode}: {Error}")]
    private static partial void LogStartFailed(ILogger logger, int seat, int exitCode, string error);
}
