using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using System.Threading.Channels;
using AwsRunner.Core.Cloud;
using AwsRunner.Core.Node;
using Microsoft.Extensions.Logging;

namespace AwsRunner.Core.Dispatch;

/// <summary>
/// The create step: image and bucket checked, access prepared, one instance per row launched (or adopted), the code
/// bundle put in the bucket once and INSTALL.sh started on every node at once (each node fetches the bundle itself),
/// then polled in rounds until each is ready or failed. Each node that is ready is handed on at once, when asked,
/// so that its job can start while other nodes still install.
/// </summary>
internal sealed partial class BatchCreator(CloudConnection connection, string home, TimeProvider time, ILogger<BatchCreator> logger)
{
    private const string ReportLines = "20";

    private readonly ManifestStore manifests = new(connection.Results);

    /// <param name="plan">The batch.</param>
    /// <param name="progress">Told each state change.</param>
    /// <param name="ready">Given each node as soon as its install has ended well; not completed here.</param>
    /// <param name="cancellationToken">Stops the create.</param>
    public async Task<IReadOnlyList<NodeOutcome>> CreateAsync(
        BatchPlan plan, IProgress<NodeProgress>? progress, ChannelWriter<ReadyNode>? ready, CancellationToken cancellationToken)
    {
        await connection.Cloud.CheckImageAsync(plan.ImageId, cancellationToken).ConfigureAwait(false);
        await connection.Results.EnsureBucketAsync(plan.Bucket, cancellationToken).ConfigureAwait(false);
        var previous = await manifests.LoadAsync(plan.Bucket, plan.Name, cancellationToken).ConfigureAwait(false);
        previous?.CheckSameJobs(plan);
        // Later commands reach the nodes the way this dispatch did, without the user repeating the SSH options.
        BatchRecords.Save(home, new BatchRecord(plan.Name, connection.Kind, plan.Bucket, connection.Region, connection.EndpointUrl, connection.Shell.Transport));
        using var bundle = await CodeBundle.BuildAsync(plan, cancellationToken).ConfigureAwait(false);
        await connection.Cloud.PrepareAccessAsync(plan.Name, cancellationToken).ConfigureAwait(false);

        var finished = await FinishedJobs.ReadAsync(connection.Results, plan.Bucket, plan.Name, previous, cancellationToken).ConfigureAwait(false);
        var outcomes = new ConcurrentDictionary<int, NodeOutcome>();
        foreach (var (index, status) in finished)
        {
            outcomes[index] = Report(progress, FinishedJobs.Outcome(index, status, previous?.Rows.ElementAtOrDefault(index)?.InstanceId));
        }

        var todo = plan.Jobs.Rows.Where(r => !finished.ContainsKey(r.Index)).ToList();
        foreach (var row in todo)
        {
            progress?.Report(new NodeProgress(row.Index, JobState.Launching));
        }

        var maxLifetime = TimeSpan.FromHours(plan.Options.MaxHours);
        var launched = todo.Count == 0
            ? []
            : (await connection.Cloud.LaunchAsync(new LaunchRequest(plan.Name, plan.ImageId, todo, maxLifetime) { OnDemandRows = OnDemandRows(previous) }, cancellationToken).ConfigureAwait(false)).Nodes;
        var manifest = await SaveManifestAsync(plan, previous, finished, launched, cancellationToken).ConfigureAwait(false);
        // The bundle goes up while the nodes boot.
        var publishing = launched.Count == 0 ? Task.FromResult<InstallSource?>(null) : PublishBundleAsync(plan, bundle, cancellationToken);
        var booting = WaitRunningAsync(plan, launched, progress, cancellationToken);
        await Task.WhenAll(publishing, booting).ConfigureAwait(false);
        var install = await publishing.ConfigureAwait(false);
        var described = await booting.ConfigureAwait(false);
        var running = described.Values.Where(n => n.State == InstanceState.Running).ToDictionary(n => n.JobIndex);

        var launchedIds = launched.ToDictionary(n => n.JobIndex, n => n.InstanceId);
        foreach (var row in todo.Where(r => !running.ContainsKey(r.Index)))
        {
            var detail = described.GetValueOrDefault(row.Index)?.State == InstanceState.Pending
                ? $"the instance was still pending after the boot timeout ({plan.Options.BootTimeout})"
                : "the instance did not reach the running state";
            outcomes[row.Index] = Report(progress, new NodeOutcome(row.Index, launchedIds.GetValueOrDefault(row.Index), JobState.Unreachable, Detail: detail));
        }

        // The nodes an earlier run listed in the manifest: adopted, they may hold a job at work, so this run never
        // terminates them. The manifest is saved before any node is contacted, so a node it did not list has never
        // been touched: it holds nothing to ask about, and is spared that command.
        var adopted = previous?.Rows.Select(r => r.InstanceId).OfType<string>().ToHashSet(StringComparer.Ordinal) ?? [];
        // Reported before it is handed on, so that the node's "ready" never comes after its job's first state.
        NodeOutcome Settle(NodeOutcome outcome)
        {
            Report(progress, outcome);
            if (outcome.State == JobState.Ready && running.TryGetValue(outcome.Index, out var node))
            {
                ready?.TryWrite(new ReadyNode(manifest.Rows[outcome.Index], node));
            }

            return outcome;
        }

        // Nothing runs without a launch, so a running node always has the bundle's source.
        await Parallel.ForEachAsync(
            running.Values,
            new ParallelOptions { MaxDegreeOfParallelism = plan.Options.Parallel, CancellationToken = cancellationToken },
            async (node, token) => outcomes[node.JobIndex] = Settle(
                await StartInstallAsync(plan, node, adopted.Contains(node.InstanceId), install!, maxLifetime, token).ConfigureAwait(false)))
            .ConfigureAwait(false);

        await PollInstallsAsync(plan, running, outcomes, Settle, cancellationToken).ConfigureAwait(false);
        await TerminateFailedAsync(plan, outcomes, adopted, cancellationToken).ConfigureAwait(false);

        var spotRefusals = launched.Where(n => n.SpotRefusal is not null).ToDictionary(n => n.JobIndex, n => n.SpotRefusal);
        var result = plan.Jobs.Rows.Select(r => outcomes[r.Index] with { SpotRefusal = spotRefusals.GetValueOrDefault(r.Index) }).ToList();
        await manifests.SaveAsync(manifest with
        {
            Rows = manifest.Rows.Select(r => finished.ContainsKey(r.Index) ? r : r with
            {
                Install = InstallOutcome(result[r.Index].State),
                InstallExitCode = result[r.Index].State == JobState.InstallFailed ? result[r.Index].ExitCode : null,
            }).ToList(),
        }, cancellationToken).ConfigureAwait(false);
        return result;
    }

    /// <summary>The code bundle in the bucket (uploaded unless it is there), and the URL every node fetches it from.</summary>
    private async Task<InstallSource?> PublishBundleAsync(BatchPlan plan, CodeBundle bundle, CancellationToken cancellationToken)
    {
        await new SharedBundles(connection.Results, logger).PublishAsync(plan.Bucket, plan.Name, bundle, cancellationToken).ConfigureAwait(false);
        var validity = UrlValidity(plan);
        var url = await connection.Results.CreateDownloadUrlAsync(plan.Bucket, ResultKeys.Bundle(bundle.Sha256), validity, cancellationToken).ConfigureAwait(false);
        return new InstallSource(url, bundle.Sha256, validity);
    }

    // The same as the job's own URLs: a node may install again on a re-run long after it was launched.
    private static TimeSpan UrlValidity(BatchPlan plan) => TimeSpan.FromHours(plan.Options.MaxHours) + JobStarter.UrlMargin;

    private async Task<BatchManifest> SaveManifestAsync(
        BatchPlan plan, BatchManifest? previous, IReadOnlyDictionary<int, StatusDocument> finished, IReadOnlyList<NodeInstance> nodes, CancellationToken cancellationToken)
    {
        var instances = nodes.ToDictionary(n => n.JobIndex, n => n.InstanceId);
        var manifest = new BatchManifest
        {
            Name = plan.Name,
            Bucket = plan.Bucket,
            Cloud = connection.Kind,
            ImageId = plan.ImageId,
            CreatedAt = previous?.CreatedAt ?? time.GetUtcNow(),
            HeartbeatSeconds = (int)plan.Options.HeartbeatInterval.TotalSeconds,
            MaxHours = plan.Options.MaxHours,
            Rows = plan.Jobs.Rows.Select(r => finished.ContainsKey(r.Index) && previous?.Rows.ElementAtOrDefault(r.Index) is { } kept ? kept : new ManifestRow
            {
                Index = r.Index,
                Line = r.Line,
                InstanceType = r.InstanceType,
                Command = r.Command,
                Variables = r.Variables.ToDictionary(v => v.Key, v => v.Value),
                InstanceId = instances.GetValueOrDefault(r.Index),
                DispatchedAt = SameInstance(previous, r.Index, instances.GetValueOrDefault(r.Index))?.DispatchedAt,
                Attempts = previous?.Rows.ElementAtOrDefault(r.Index)?.Attempts,
            }).ToList(),
        };
        await manifests.SaveAsync(manifest, cancellationToken).ConfigureAwait(false);
        return manifest;
    }

    private async Task<IReadOnlyDictionary<int, NodeInstance>> WaitRunningAsync(
        BatchPlan plan, IReadOnlyList<NodeInstance> launched, IProgress<NodeProgress>? progress, CancellationToken cancellationToken)
    {
        var ids = launched.Select(n => n.InstanceId).ToHashSet(StringComparer.Ordinal);
        foreach (var node in launched)
        {
            progress?.Report(new NodeProgress(node.JobIndex, JobState.Booting));
        }

        var nodes = await Polling.UntilAsync(
            async token => (await connection.Cloud.DescribeAsync(plan.Name, token).ConfigureAwait(false))
                .Where(n => ids.Contains(n.InstanceId))
                .ToList(),
            described => described.Count == ids.Count && described.All(n => n.State != InstanceState.Pending),
            plan.Options.PollInterval,
            plan.Options.BootTimeout,
            time,
            cancellationToken).ConfigureAwait(false);
        return nodes.ToDictionary(n => n.JobIndex);
    }

    private async Task<NodeOutcome> StartInstallAsync(
        BatchPlan plan, NodeInstance node, bool adopted, InstallSource install, TimeSpan maxLifetime, CancellationToken cancellationToken)
    {
        try
        {
            await connection.Shell.WaitReachableAsync(node, cancellationToken).ConfigureAwait(false);
        }
        catch (CloudException e)
        {
            return new NodeOutcome(node.JobIndex, node.InstanceId, JobState.Unreachable, Detail: e.Message);
        }

        if (adopted)
        {
            // An adopted node may be installed already, or running its job: it keeps its code and its state.
            var before = await ReportAsync(node, cancellationToken).ConfigureAwait(false);
            if (before is null)
            {
                return new NodeOutcome(node.JobIndex, node.InstanceId, JobState.Unreachable, Detail: "the node answered once, then no more");
            }

            if (before.State is not ("none" or "install-failed"))
            {
                return new NodeOutcome(node.JobIndex, node.InstanceId, JobStateNames.FromRunner(before.State));
            }
        }

        var settings = new NodeEnvFile();
        foreach (var (name, value) in connection.Cloud.NodeSettings(node))
        {
            settings.Set(name, value);
        }

        var installLog = await connection.Results.CreateUploadUrlAsync(
            plan.Bucket, ResultKeys.Job(plan.Name, node.JobIndex) + ResultKeys.InstallLog, install.UrlValidity, cancellationToken).ConfigureAwait(false);
        settings.Set("AWSRUNNER_BUNDLE_URL", install.BundleUrl.AbsoluteUri)
            .Set("AWSRUNNER_BUNDLE_SHA256", install.Sha256)
            .Set("AWSRUNNER_URL_INSTALL_LOG", installLog.AbsoluteUri);

        // An absolute time, from the cloud's launch time, that the node counts down on its own clock: this machine's
        // clock plays no part, so a slow one cannot push the switch past the boothook's power-off.
        var armAt = NodeDeadline.SwitchAt(node.LaunchTime, maxLifetime.TotalHours).ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        // Waiting for INSTALL.sh as long as one poll interval, in the command that started it, saves every node with a
        // short one a poll round: a command to each node that, on a fleet of many, costs more than the wait.
        var settleSeconds = Math.Max(1, (long)Math.Ceiling(plan.Options.PollInterval.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
        // Only the runner goes over SSH, on standard input; the node fetches the code from the bucket itself.
        var command = string.Join(" && ",
            $"mkdir -p {NodeRunnerScript.Folder} {NodeRunnerScript.CodeFolder}",
            $"cat > {NodeRunnerScript.Path}.tmp",
            $"mv -f {NodeRunnerScript.Path}.tmp {NodeRunnerScript.Path}",
            $"printf %s {ShellQuote.Quote(settings.ToString())} > {NodeRunnerScript.Folder}/node.env",
            NodeRunnerScript.Command("arm", armAt),
            NodeRunnerScript.Command("start", "install"),
            NodeRunnerScript.Command("settle", settleSeconds),
            NodeRunnerScript.Command("report", ReportLines));
        using var runner = new MemoryStream(Encoding.UTF8.GetBytes(NodeRunnerScript.Content));
        ShellResult result;
        try
        {
            result = await connection.Shell.RunAsync(node, command, runner, cancellationToken).ConfigureAwait(false);
        }
        catch (CloudException e)
        {
            return new NodeOutcome(node.JobIndex, node.InstanceId, JobState.Unreachable, Detail: e.Message);
        }

        if (result.ExitCode != 0)
        {
            LogInstallStartFailed(logger, node.JobIndex, result.ExitCode, result.Error);
            return new NodeOutcome(node.JobIndex, node.InstanceId, JobState.InstallFailed, result.ExitCode,
                $"starting the install failed: {result.Error.Trim()}");
        }

        return Installed(new NodeOutcome(node.JobIndex, node.InstanceId, JobState.Installing), NodeReport.Parse(result.Output));
    }

    private async Task PollInstallsAsync(
        BatchPlan plan,
        Dictionary<int, NodeInstance> nodes,
        ConcurrentDictionary<int, NodeOutcome> outcomes,
        Func<NodeOutcome, NodeOutcome> settle,
        CancellationToken cancellationToken)
    {
        bool Installing(NodeOutcome o) => o.State == JobState.Installing;
        await Polling.UntilAsync(
            async token =>
            {
                await Parallel.ForEachAsync(
                    outcomes.Values.Where(Installing).ToList(),
                    new ParallelOptions { MaxDegreeOfParallelism = plan.Options.Parallel, CancellationToken = token },
                    async (outcome, t) =>
                    {
                        if (await ReportAsync(nodes[outcome.Index], t).ConfigureAwait(false) is not { } report)
                        {
                            return;
                        }

                        var installed = Installed(outcome, report);
                        if (!Installing(installed))
                        {
                            outcomes[outcome.Index] = settle(installed);
                        }
                    }).ConfigureAwait(false);
                return outcomes.Values.Count(Installing);
            },
            installing => installing == 0,
            plan.Options.PollInterval,
            plan.Options.InstallTimeout,
            time,
            cancellationToken).ConfigureAwait(false);

        foreach (var outcome in outcomes.Values.Where(Installing).ToList())
        {
            outcomes[outcome.Index] = settle(outcome with
            {
                State = JobState.InstallFailed,
                Detail = $"INSTALL.sh was still running after {plan.Options.InstallTimeout}",
            });
        }
    }

    /// <summary>The outcome of an install the report says has ended; the same outcome while it runs.</summary>
    private static NodeOutcome Installed(NodeOutcome installing, NodeReport report) => JobStateNames.FromRunner(report.State) switch
    {
        JobState.Ready => installing with { State = JobState.Ready },
        JobState.InstallFailed => installing with { State = JobState.InstallFailed, ExitCode = report.InstallExitCode, Detail = report.LogTail },
        _ => installing,
    };

    /// <summary>The node's report, or null when it could not be reached this round (it is asked again next round).</summary>
    private async Task<NodeReport?> ReportAsync(NodeInstance node, CancellationToken cancellationToken)
    {
        try
        {
            var result = await connection.Shell.RunAsync(node, NodeRunnerScript.Command("report", ReportLines), null, cancellationToken).ConfigureAwait(false);
            return NodeReport.Parse(result.Output);
        }
        catch (CloudException e)
        {
            LogReportFailed(logger, node.JobIndex, e.Message);
            return null;
        }
    }

    /// <summary>Terminates the nodes this run launched whose install failed or that never answered; adopted ones stay.</summary>
    private async Task TerminateFailedAsync(
        BatchPlan plan, ConcurrentDictionary<int, NodeOutcome> outcomes, HashSet<string> adopted, CancellationToken cancellationToken)
    {
        var failed = outcomes.Values
            .Where(o => o.State is JobState.InstallFailed or JobState.Unreachable && o.InstanceId is not null && !adopted.Contains(o.InstanceId))
            .Select(o => o.InstanceId!)
            .ToList();
        if (failed.Count == 0 || plan.Options.KeepFailed)
        {
            return;
        }

        LogTerminatingFailed(logger, failed.Count);
        await connection.Cloud.TerminateAsync(plan.Name, failed, cancellationToken).ConfigureAwait(false);
    }

    private static HashSet<int> OnDemandRows(BatchManifest? previous) =>
        previous?.Rows.Where(r => r.Attempts?.OnDemand == true).Select(r => r.Index).ToHashSet() ?? [];

    private static ManifestRow? SameInstance(BatchManifest? previous, int index, string? instanceId) =>
        previous?.Rows.ElementAtOrDefault(index) is { } row && row.InstanceId is not null && row.InstanceId == instanceId ? row : null;

    private static string InstallOutcome(JobState state) => state switch
    {
        JobState.InstallFailed or JobState.Unreachable => state.ToName(),
        _ => JobState.Ready.ToName(),
    };

    private static NodeOutcome Report(IProgress<NodeProgress>? progress, NodeOutcome outcome)
    {
        progress?.Report(new NodeProgress(outcome.Index, outcome.State, outcome.Detail));
        return outcome;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Starting the install on job {Index}'s node failed with exit code {ExitCode}: {Error}")]
    private static partial void LogInstallStartFailed(ILogger logger, int index, int exitCode, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Job {Index}'s node did not report this round: {Error}")]
    private static partial void LogReportFailed(ILogger logger, int index, string error);

    [LoggerMessage(Level = LogLevel.Information, Message = "Terminating {Count} nodes whose install failed")]
    private static partial void LogTerminatingFailed(ILogger logger, int count);
}
