using System.Collections.Concurrent;
using System.Threading.Channels;
using AwsRunner.Core.Cloud;
using AwsRunner.Core.Ledger;
using AwsRunner.Core.Node;
using Microsoft.Extensions.Logging;

namespace AwsRunner.Core.Dispatch;

/// <summary>
/// The dispatch step: each ready node gets its <c>job.env</c> (command, variables) and <c>urls.env</c> (upload URLs) and
/// starts its runner detached; returns once every node has confirmed the start. Starting twice starts nothing new,
/// but hands a started node fresh upload URLs.
/// </summary>
internal sealed partial class JobStarter(CloudConnection connection, TimeProvider time, ILogger<JobStarter> logger)
{
    // Presigned URLs must outlive the dead man's switch, and then some for a slow last upload.
    public static readonly TimeSpan UrlMargin = TimeSpan.FromHours(6);

    // stdin is a tar of the node's files, unpacked beside them and moved into place, so the runner never reads half a
    // file. A node whose job has started (run.pid) takes only the fresh URLs: its job runs once.
    internal static readonly string StartCommand =
        $"(umask 077 && t=$(mktemp -d {NodeRunnerScript.Folder}/in.XXXXXX) && tar -xf - -C \"$t\" && " +
        $"if [ -s {NodeRunnerScript.Folder}/run.pid ]; then mv -f \"$t/{NodeRunnerScript.UrlsEnvFile}\" {NodeRunnerScript.Folder}/; " +
        $"else mv -f \"$t\"/* {NodeRunnerScript.Folder}/; fi; rc=$?; rm -rf \"$t\"; exit $rc) && " +
        NodeRunnerScript.Command("start", "run");

    // The attempt each row was on when its job was handed over, for the ledger.
    private readonly ConcurrentDictionary<int, int> attempts = new();

    public async Task<IReadOnlyList<NodeOutcome>> StartAsync(DispatchRound round, IProgress<NodeProgress>? progress, CancellationToken cancellationToken)
    {
        var document = round.Ledger.Document;
        var nodes = document.NodesById();
        var live = (await connection.Cloud.DescribeAsync(round.Name, cancellationToken).ConfigureAwait(false))
            .Where(n => n.State == InstanceState.Running)
            .ToDictionary(n => n.InstanceId, StringComparer.Ordinal);

        var outcomes = new ConcurrentDictionary<int, NodeOutcome>();
        await Parallel.ForEachAsync(
            round.Rows,
            new ParallelOptions { MaxDegreeOfParallelism = round.Options.Parallel, CancellationToken = cancellationToken },
            async (index, token) =>
            {
                var row = document.Rows[index];
                var outcome = row.Current.Node is { } id && live.TryGetValue(id, out var node)
                    ? await StartOneAsync(round, row, node, token).ConfigureAwait(false)
                    : NotStarted(row, row.Current.Node is { } known ? nodes.GetValueOrDefault(known) : null);
                outcomes[index] = outcome;
                progress?.Report(new NodeProgress(outcome.Index, outcome.State, outcome.Detail));
            }).ConfigureAwait(false);

        await RecordDispatchedAsync(round, outcomes, cancellationToken).ConfigureAwait(false);
        return round.Rows.Order()
            .Select(i => outcomes[i] with { SpotRefusal = outcomes[i].InstanceId is { } id ? live.GetValueOrDefault(id)?.SpotRefusal : null })
            .ToList();
    }

    /// <summary>
    /// Starts the job of each node as the create hands it over, as many at once as the options allow, until the create
    /// is done; the caller then records the starts (<see cref="RecordDispatchedAsync"/>).
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
                var outcome = await StartOneAsync(round, node.Row, node.Node, token).ConfigureAwait(false);
                outcomes[node.Row.Index] = outcome;
                progress?.Report(new NodeProgress(outcome.Index, outcome.State, outcome.Detail));
            }).ConfigureAwait(false);
        return outcomes;
    }

    /// <summary>Notes in the ledger when each job that started was first dispatched, on the bucket's clock.</summary>
    public async Task RecordDispatchedAsync(DispatchRound round, IReadOnlyDictionary<int, NodeOutcome> outcomes, CancellationToken cancellationToken)
    {
        var started = outcomes.Values.Where(o => o.State.IsStarted() && attempts.ContainsKey(o.Index)).Select(o => (o.Index, attempts[o.Index])).ToList();
        if (started.Count == 0)
        {
            return;
        }

        // On the bucket's clock, as the heartbeats that a job without one is measured against would be.
        var now = await connection.Results.ServerNowAsync(round.Bucket, cancellationToken).ConfigureAwait(false);
        var secrets = round.Secrets.Select(s => s.Key).ToList();
        await round.Ledger.ChangeAsync(d => d.Dispatched(started, now, secrets), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// The node lives by the batch's max-hours, fixed at create: its URLs work until its launch, that lifetime and the
    /// margin have passed.
    /// </summary>
    private TimeSpan UrlValidity(DispatchRound round, NodeInstance node) =>
        node.LaunchTime + TimeSpan.FromHours(round.Settings.MaxHours) + UrlMargin - time.GetUtcNow();

    private async Task<NodeOutcome> StartOneAsync(DispatchRound round, LedgerRow row, NodeInstance node, CancellationToken cancellationToken)
    {
        var attempt = row.Current.Number;
        attempts[row.Index] = attempt;
        var urls = await connection.Results.CreateUploadUrlsAsync(
            round.Bucket, ResultKeys.Job(round.Name, row.Index, attempt), Defaults.ResultParts, UrlValidity(round, node), cancellationToken).ConfigureAwait(false);
        using var files = NodeFilesTar.Write(
        [
            KeyValuePair.Create(NodeRunnerScript.JobEnvFile, JobEnvironment.For(round, row, node)),
            KeyValuePair.Create(NodeVariables.VariablesFile, JobEnvironment.Variables(row)),
            KeyValuePair.Create(NodeRunnerScript.UrlsEnvFile, JobEnvironment.UrlsFor(urls)),
            .. round.Secrets.Count == 0 ? [] : new[] { KeyValuePair.Create(NodeVariables.SecretsFile, NodeVariables.Format(round.Secrets)) },
        ]);
        ShellResult result;
        try
        {
            result = await connection.Shell.RunAsync(node, StartCommand, files, cancellationToken).ConfigureAwait(false);
        }
        catch (CloudException e)
        {
            return new NodeOutcome(row.Index, node.InstanceId, JobState.Unreachable, Detail: e.Message);
        }

        if (result.ExitCode != 0)
        {
            LogStartFailed(logger, row.Index, result.ExitCode, result.Error);
            return new NodeOutcome(row.Index, node.InstanceId, JobState.Unreachable, result.ExitCode,
                $"the job could not be started: {result.Error.Trim()}");
        }

        var state = result.Output.Trim().Split('\n')[^1];
        return new NodeOutcome(row.Index, node.InstanceId, JobStates.FromRunner(state));
    }

    private static NodeOutcome NotStarted(LedgerRow row, LedgerNode? node) =>
        node?.Install == JobState.InstallFailed.ToName()
            ? new NodeOutcome(row.Index, node.Id, JobState.InstallFailed, node.InstallExitCode, "INSTALL.sh failed on this node; not dispatched")
        : node?.Install == JobState.Unreachable.ToName()
            ? new NodeOutcome(row.Index, node.Id, JobState.Unreachable, Detail: "the node could not be reached at create; not dispatched")
        : new NodeOutcome(row.Index, row.Current.Node, JobState.Lost, Detail: "the job has no running node; run the dispatch with --create to replace it");

    [LoggerMessage(Level = LogLevel.Warning, Message = "Starting job {Index} failed with exit code {ExitCode}: {Error}")]
    private static partial void LogStartFailed(ILogger logger, int index, int exitCode, string error);
}
