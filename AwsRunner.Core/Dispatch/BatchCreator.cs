using System.Collections.Concurrent;
using System.Globalization;
using AwsRunner.Core.Cloud;
using AwsRunner.Core.Node;
using Microsoft.Extensions.Logging;

namespace AwsRunner.Core.Dispatch;

/// <summary>
/// The create step: image and bucket checked, access prepared, one instance per row launched (or adopted),
/// the code bundle uploaded and INSTALL.sh started on every node at once, then polled in rounds until each is
/// ready or failed.
/// </summary>
internal sealed partial class BatchCreator(CloudConnection connection, string home, TimeProvider time, ILogger<BatchCreator> logger)
{
    private const string ReportLines = "20";

    private readonly ManifestStore manifests = new(connection.Results);

    public async Task<IReadOnlyList<NodeOutcome>> CreateAsync(BatchPlan plan, IProgress<NodeProgress>? progress, CancellationToken cancellationToken)
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
        foreach (var (index, exitCode) in finished)
        {
            outcomes[index] = Report(progress, FinishedJobs.Outcome(index, exitCode, previous?.Rows.ElementAtOrDefault(index)?.InstanceId));
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
        var running = await WaitRunningAsync(plan, launched, progress, cancellationToken).ConfigureAwait(false);

        foreach (var row in todo.Where(r => !running.ContainsKey(r.Index)))
        {
            outcomes[row.Index] = Report(progress, new NodeOutcome(row.Index, null, JobState.Unreachable, Detail: "the instance did not reach the running state"));
        }

        // The manifest is saved before any node is contacted, so a node it did not list has never been touched: it
        // holds nothing to ask about, and is spared that command.
        var contacted = previous?.Rows.Select(r => r.InstanceId).OfType<string>().ToHashSet(StringComparer.Ordinal) ?? [];
        await Parallel.ForEachAsync(
            running.Values,
            new ParallelOptions { MaxDegreeOfParallelism = plan.Options.Parallel, CancellationToken = cancellationToken },
            async (node, token) => outcomes[node.JobIndex] = Report(
                progress,
                await StartInstallAsync(node, contacted.Contains(node.InstanceId), bundle, maxLifetime, plan.Options.PollInterval, token).ConfigureAwait(false)))
            .ConfigureAwait(false);

        await PollInstallsAsync(plan, running, outcomes, progress, cancellationToken).ConfigureAwait(false);
        await TerminateFailedAsync(plan, outcomes, cancellationToken).ConfigureAwait(false);

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

    private async Task<BatchManifest> SaveManifestAsync(
        BatchPlan plan, BatchManifest? previous, IReadOnlyDictionary<int, int> finished, IReadOnlyList<NodeInstance> nodes, CancellationToken cancellationToken)
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
        return nodes.Where(n => n.State == InstanceState.Running).ToDictionary(n => n.JobIndex);
    }

    private async Task<NodeOutcome> StartInstallAsync(
        NodeInstance node, bool contacted, CodeBundle bundle, TimeSpan maxLifetime, TimeSpan pollInterval, CancellationToken cancellationToken)
    {
        try
        {
            await connection.Shell.WaitReachableAsync(node, cancellationToken).ConfigureAwait(false);
        }
        catch (CloudException e)
        {
            return new NodeOutcome(node.JobIndex, node.InstanceId, JobState.Unreachable, Detail: e.Message);
        }

        if (contacted)
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

        var remaining = maxLifetime - (time.GetUtcNow() - node.LaunchTime);
        var armSeconds = Math.Max(60, (long)remaining.TotalSeconds).ToString(CultureInfo.InvariantCulture);
        // Waiting for INSTALL.sh as long as one poll interval, in the command that started it, saves every node with a
        // short one a poll round: a command to each node that, on a fleet of many, costs more than the wait.
        var settleSeconds = Math.Max(1, (long)Math.Ceiling(pollInterval.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
        var command = string.Join(" && ",
            CodeBundle.UnpackCommand,
            $"printf %s {ShellQuote.Quote(settings.ToString())} > {NodeRunnerScript.Folder}/node.env",
            NodeRunnerScript.Command("arm", armSeconds),
            NodeRunnerScript.Command("start", "install"),
            NodeRunnerScript.Command("settle", settleSeconds),
            NodeRunnerScript.Command("report", ReportLines));
        var stream = bundle.Open();
        await using (stream.ConfigureAwait(false))
        {
            ShellResult result;
            try
            {
                result = await connection.Shell.RunAsync(node, command, stream, cancellationToken).ConfigureAwait(false);
            }
            catch (CloudException e)
            {
                return new NodeOutcome(node.JobIndex, node.InstanceId, JobState.Unreachable, Detail: e.Message);
            }

            if (result.ExitCode != 0)
            {
                LogUploadFailed(logger, node.JobIndex, result.ExitCode, result.Error);
                return new NodeOutcome(node.JobIndex, node.InstanceId, JobState.InstallFailed, result.ExitCode,
                    $"uploading the code or starting INSTALL.sh failed: {result.Error.Trim()}");
            }

            return Installed(new NodeOutcome(node.JobIndex, node.InstanceId, JobState.Installing), NodeReport.Parse(result.Output));
        }
    }

    private async Task PollInstallsAsync(
        BatchPlan plan,
        IReadOnlyDictionary<int, NodeInstance> nodes,
        ConcurrentDictionary<int, NodeOutcome> outcomes,
        IProgress<NodeProgress>? progress,
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
                            outcomes[outcome.Index] = Report(progress, installed);
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
            outcomes[outcome.Index] = Report(progress, outcome with
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

    private async Task TerminateFailedAsync(BatchPlan plan, ConcurrentDictionary<int, NodeOutcome> outcomes, CancellationToken cancellationToken)
    {
        var failed = outcomes.Values
            .Where(o => o.State is JobState.InstallFailed or JobState.Unreachable && o.InstanceId is not null)
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

    [LoggerMessage(Level = LogLevel.Warning, Message = "Upload to job {Index}'s node failed with exit code {ExitCode}: {Error}")]
    private static partial void LogUploadFailed(ILogger logger, int index, int exitCode, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Job {Index}'s node did not report this round: {Error}")]
    private static partial void LogReportFailed(ILogger logger, int index, string error);

    [LoggerMessage(Level = LogLevel.Information, Message = "Terminating {Count} nodes whose install failed")]
    private static partial void LogTerminatingFailed(ILogger logger, int count);
}
