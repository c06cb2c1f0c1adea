using System.Collections.Concurrent;
using System.Threading.Channels;
using AwsRunner.Core.Cloud;
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

    private readonly ManifestStore manifests = new(connection.Results);

    public async Task<IReadOnlyList<NodeOutcome>> StartAsync(BatchPlan plan, IProgress<NodeProgress>? progress, CancellationToken cancellationToken)
    {
        var manifest = await manifests.RequireAsync(plan.Bucket, plan.Name, cancellationToken).ConfigureAwait(false);
        manifest.CheckSameJobs(plan);
        var live = (await connection.Cloud.DescribeAsync(plan.Name, cancellationToken).ConfigureAwait(false))
            .Where(n => n.State == InstanceState.Running)
            .ToDictionary(n => n.InstanceId, StringComparer.Ordinal);

        var finished = await FinishedJobs.ReadAsync(connection.Results, plan.Bucket, plan.Name, manifest, cancellationToken).ConfigureAwait(false);
        var outcomes = new ConcurrentDictionary<int, NodeOutcome>();
        await Parallel.ForEachAsync(
            manifest.Rows,
            new ParallelOptions { MaxDegreeOfParallelism = plan.Options.Parallel, CancellationToken = cancellationToken },
            async (row, token) =>
            {
                var outcome = finished.TryGetValue(row.Index, out var status)
                    ? FinishedJobs.Outcome(row.Index, status, row.InstanceId)
                    : row.InstanceId is { } id && live.TryGetValue(id, out var node)
                    ? await StartOneAsync(plan, row, node, UrlValidity(manifest.MaxHours, node), token).ConfigureAwait(false)
                    : NotStarted(row);
                outcomes[row.Index] = outcome;
                progress?.Report(new NodeProgress(outcome.Index, outcome.State, outcome.Detail));
            }).ConfigureAwait(false);

        await RecordDispatchedAsync(plan, outcomes, cancellationToken).ConfigureAwait(false);
        return manifest.Rows
            .Select(r => outcomes[r.Index] with { SpotRefusal = r.InstanceId is { } id ? live.GetValueOrDefault(id)?.SpotRefusal : null })
            .ToList();
    }

    /// <summary>
    /// Starts the job of each node as the create hands it over, as many at once as the plan allows, until the create
    /// is done; the caller then records the starts (<see cref="RecordDispatchedAsync"/>) once the create saved its manifest.
    /// </summary>
    public async Task<IReadOnlyDictionary<int, NodeOutcome>> StartEachAsync(
        BatchPlan plan, ChannelReader<ReadyNode> ready, IProgress<NodeProgress>? progress, CancellationToken cancellationToken)
    {
        var outcomes = new ConcurrentDictionary<int, NodeOutcome>();
        await Parallel.ForEachAsync(
            ready.ReadAllAsync(cancellationToken),
            new ParallelOptions { MaxDegreeOfParallelism = plan.Options.Parallel, CancellationToken = cancellationToken },
            async (node, token) =>
            {
                // The create that hands the node over gave the batch its lifetime.
                var outcome = await StartOneAsync(plan, node.Row, node.Node, UrlValidity(plan.Options.MaxHours, node.Node), token).ConfigureAwait(false);
                outcomes[node.Row.Index] = outcome;
                progress?.Report(new NodeProgress(outcome.Index, outcome.State, outcome.Detail));
            }).ConfigureAwait(false);
        return outcomes;
    }

    /// <summary>Notes in the manifest when each job that started was first dispatched.</summary>
    public async Task RecordDispatchedAsync(BatchPlan plan, IReadOnlyDictionary<int, NodeOutcome> outcomes, CancellationToken cancellationToken)
    {
        var manifest = await manifests.RequireAsync(plan.Bucket, plan.Name, cancellationToken).ConfigureAwait(false);
        // On the bucket's clock, as the heartbeats that a job without one is measured against would be.
        var now = await connection.Results.ServerNowAsync(plan.Bucket, cancellationToken).ConfigureAwait(false);
        await manifests.SaveAsync(manifest with
        {
            Secrets = plan.SecretNames,
            Rows = manifest.Rows
                .Select(r => outcomes.TryGetValue(r.Index, out var o) && Started(o) ? r with { DispatchedAt = r.DispatchedAt ?? now } : r)
                .ToList(),
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// The node lives by the batch's max-hours, fixed at create, not by this dispatch's (a separate dispatch may give
    /// none, or another): its URLs work until its launch, that lifetime and the margin have passed.
    /// </summary>
    private TimeSpan UrlValidity(double maxHours, NodeInstance node) =>
        node.LaunchTime + TimeSpan.FromHours(maxHours) + UrlMargin - time.GetUtcNow();

    private async Task<NodeOutcome> StartOneAsync(BatchPlan plan, ManifestRow row, NodeInstance node, TimeSpan validity, CancellationToken cancellationToken)
    {
        var urls = await connection.Results.CreateUploadUrlsAsync(
            plan.Bucket, ResultKeys.Job(plan.Name, row.Index, RowAttempts.CurrentOf(row)), Defaults.ResultParts, validity, cancellationToken).ConfigureAwait(false);
        using var files = NodeFilesTar.Write(
        [
            KeyValuePair.Create(NodeRunnerScript.JobEnvFile, JobEnvironment.For(plan, row, node)),
            KeyValuePair.Create(NodeVariables.VariablesFile, JobEnvironment.Variables(row)),
            KeyValuePair.Create(NodeRunnerScript.UrlsEnvFile, JobEnvironment.UrlsFor(urls)),
            .. plan.Secrets.Count == 0 ? [] : new[] { KeyValuePair.Create(NodeVariables.SecretsFile, NodeVariables.Format(plan.Secrets)) },
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
        return new NodeOutcome(row.Index, node.InstanceId, JobStateNames.FromRunner(state));
    }

    private static NodeOutcome NotStarted(ManifestRow row) => row.Install switch
    {
        "install-failed" => new NodeOutcome(row.Index, row.InstanceId, JobState.InstallFailed, row.InstallExitCode, "INSTALL.sh failed on this node; not dispatched"),
        "unreachable" => new NodeOutcome(row.Index, row.InstanceId, JobState.Unreachable, Detail: "the node could not be reached at create; not dispatched"),
        _ => new NodeOutcome(row.Index, row.InstanceId, JobState.Lost, Detail: "the job has no running node; run the dispatch with --create to replace it"),
    };

    private static bool Started(NodeOutcome outcome) =>
        outcome.State is JobState.Queued or JobState.Starting or JobState.Running or JobState.Uploading
            or JobState.Done or JobState.Failed or JobState.UploadFailed or JobState.Deadline or JobState.Preempted;

    [LoggerMessage(Level = LogLevel.Warning, Message = "Starting job {Index} failed with exit code {ExitCode}: {Error}")]
    private static partial void LogStartFailed(ILogger logger, int index, int exitCode, string error);
}
