using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using System.Threading.Channels;
using AwsRunner.Core.Cloud;
using AwsRunner.Core.Jobs;
using AwsRunner.Core.Node;
using Microsoft.Extensions.Logging;

namespace AwsRunner.Core.Dispatch;

/// <summary>
/// The create step for a round of seats: each seat without a node gets one (launched once its launch is claimed in the
/// ledger, so that two dispatchers never launch twins), the others adopt theirs; then INSTALL.sh is started on every
/// node at once (each node fetches the batch's pinned code bundle itself) and polled until each is ready or failed.
/// Each node that is ready is handed on at once, when asked, so that it can start working while others install.
/// </summary>
internal sealed partial class BatchCreator(CloudConnection connection, TimeProvider time, ILogger<BatchCreator> logger)
{
    private const string ReportLines = "20";

    /// <summary>What the cloud said when it launched fewer nodes than asked (the account's limits); null when it launched all.</summary>
    public string? Shortfall { get; private set; }

    /// <param name="round">The seats and what they take.</param>
    /// <param name="progress">Told each state change.</param>
    /// <param name="ready">Given each node as soon as its install has ended well; not completed here.</param>
    /// <param name="cancellationToken">Stops the create.</param>
    public async Task<IReadOnlyList<NodeOutcome>> CreateAsync(
        DispatchRound round, IProgress<NodeProgress>? progress, ChannelWriter<ReadyNode>? ready, CancellationToken cancellationToken)
    {
        var ledger = round.Ledger;
        await connection.Cloud.PrepareAccessAsync(round.Name, cancellationToken).ConfigureAwait(false);

        var seats = ledger.Document.Seats.Where(s => round.Seats.Contains(s.Row)).ToList();
        var wanting = seats.Where(s => s.Node is null).Select(s => s.Row).ToList();
        var now = await connection.Results.ServerNowAsync(round.Bucket, cancellationToken).ConfigureAwait(false);
        var claimed = wanting.Count == 0
            ? []
            : await ledger.ChangeAsync(d => d.ClaimSeats(wanting, round.Dispatcher.Claim(now), round.StaleClaim, Dispatcher.IsGone), cancellationToken).ConfigureAwait(false);
        var outcomes = new ConcurrentDictionary<int, NodeOutcome>();
        foreach (var index in wanting.Except(claimed))
        {
            outcomes[index] = Report(progress, new NodeOutcome { Index = index, State = JobState.Launching, Detail = "another dispatcher of this batch launches its node" });
        }

        foreach (var index in claimed)
        {
            progress?.Report(new NodeProgress { Index = index, State = JobState.Launching });
        }

        // The nodes an earlier run launched: adopted, they may hold a job at work, so this run never terminates them.
        // Each is said to be adopted once, in place of launching and booting.
        var adopted = seats.Select(s => s.Node).OfType<string>().ToHashSet(StringComparer.Ordinal);
        foreach (var seat in seats.Where(s => s.Node is not null))
        {
            progress?.Report(new NodeProgress { Index = seat.Row, State = JobState.Booting, Adopted = true });
        }

        var maxLifetime = TimeSpan.FromHours(round.Settings.MaxHours);
        var launched = await LaunchAsync(round, claimed, maxLifetime, cancellationToken).ConfigureAwait(false);
        if (launched.Count == 0 && adopted.Count == 0 && Shortfall is { } none)
        {
            throw await NothingFitsAsync(round, claimed, none, cancellationToken).ConfigureAwait(false);
        }

        var installSource = new InstallSource(
            await connection.Results.CreateDownloadUrlAsync(round.Bucket, ResultKeys.Bundle(round.Settings.BundleSha256), UrlValidity(round), cancellationToken).ConfigureAwait(false),
            round.Settings.BundleSha256,
            UrlValidity(round));
        var described = await WaitRunningAsync(round, launched, adopted, progress, cancellationToken).ConfigureAwait(false);
        var running = described.Values.Where(n => n.State == InstanceState.Running).ToDictionary(n => n.JobIndex);

        var unlaunched = claimed.Except(launched.Select(n => n.JobIndex)).ToList();
        foreach (var seat in seats.Select(s => s.Row).Where(i => !outcomes.ContainsKey(i) && !running.ContainsKey(i) && !unlaunched.Contains(i)))
        {
            var node = described.GetValueOrDefault(seat);
            var recorded = ledger.Document.Seats.First(s => s.Row == seat).Node;
            var (state, detail) = node?.State == InstanceState.Pending
                ? (JobState.Unreachable, $"the instance was still pending after the boot timeout ({round.Options.BootTimeout})")
                : adopted.Contains(recorded ?? "")
                ? (JobState.Lost, "its node is gone")
                : (JobState.Unreachable, "the instance did not reach the running state");
            outcomes[seat] = Report(progress, new NodeOutcome { Index = seat, InstanceId = node?.InstanceId ?? recorded, State = state, Detail = detail });
        }

        // Seats the cloud gave no node (the account's limits): their rows go to the nodes it did give.
        foreach (var seat in unlaunched)
        {
            outcomes[seat] = Report(progress, new NodeOutcome { Index = seat, State = JobState.Queued, Detail = "no node: the cloud launched fewer; its rows wait for the others" });
        }

        // Reported before it is handed on, so that the node's "ready" never comes after its job's first state.
        NodeOutcome Settle(NodeOutcome outcome)
        {
            Report(progress, outcome);
            if (outcome.State == JobState.Ready && running.TryGetValue(outcome.Index, out var node))
            {
                ready?.TryWrite(new ReadyNode(outcome.Index, node));
            }

            return outcome;
        }

        await Parallel.ForEachAsync(
            running.Values,
            new ParallelOptions { MaxDegreeOfParallelism = round.Options.Parallel, CancellationToken = cancellationToken },
            async (node, token) => outcomes[node.JobIndex] = Settle(
                await StartInstallAsync(round, node, adopted.Contains(node.InstanceId), installSource, maxLifetime, token).ConfigureAwait(false)))
            .ConfigureAwait(false);

        await PollInstallsAsync(round, running, outcomes, Settle, cancellationToken).ConfigureAwait(false);
        await TerminateFailedAsync(round, outcomes, adopted, cancellationToken).ConfigureAwait(false);

        var installs = outcomes.Values
            .Select(o => (o.InstanceId, Install: InstallEnd(o.State), o.ExitCode))
            .Where(o => o.InstanceId is not null && o.Install is not null)
            .Select(o => (o.InstanceId!, o.Install!.Value, o.Install == JobState.InstallFailed ? o.ExitCode : null))
            .ToList();
        await ledger.ChangeAsync(d => d.Installed(installs, NodeContract.RunnerVersion), cancellationToken).ConfigureAwait(false);
        var spotRefusals = launched.Where(n => n.SpotRefusal is not null).ToDictionary(n => n.JobIndex, n => n.SpotRefusal);
        return seats.Select(s => new NodeOutcome(outcomes[s.Row]) { SpotRefusal = spotRefusals.GetValueOrDefault(s.Row) }).ToList();
    }

    /// <summary>
    /// Launches the claimed seats and records their nodes in the ledger. The cloud may launch fewer than asked (the
    /// account's limits): the queue absorbs the rest, their claims are given back. A launch that fails or is stopped
    /// gives its claims back, so that a re-run can launch at once; what it launched all the same a re-run adopts (the
    /// cloud finds it by its seat's row).
    /// </summary>
    private async Task<IReadOnlyList<NodeInstance>> LaunchAsync(DispatchRound round, IReadOnlyList<int> claimed, TimeSpan maxLifetime, CancellationToken cancellationToken)
    {
        if (claimed.Count == 0)
        {
            return [];
        }

        var document = round.Ledger.Document;
        IReadOnlyList<NodeInstance> launched;
        try
        {
            var rows = claimed.Select(i => document.Rows[i]).Select(r => new JobRow { Index = r.Index, Line = r.Line, InstanceType = r.InstanceType, Command = r.Command, Variables = r.Variables.ToList() }).ToList();
            var request = new LaunchRequest(round.Name, document.ImageId, rows, maxLifetime)
            {
                OnDemandRows = document.Seats.Where(s => s.OnDemand && claimed.Contains(s.Row)).Select(s => s.Row).ToHashSet(),
                WithinQuota = true,
            };
            var result = await connection.Cloud.LaunchAsync(request, cancellationToken).ConfigureAwait(false);
            launched = result.Nodes;
            if (result.Shortfall is { } shortfall)
            {
                LogShortfall(logger, shortfall);
                Shortfall = shortfall;
            }
        }
        catch
        {
            await round.Ledger.ChangeAsync(d => d.Unclaimed(claimed, round.Dispatcher.Id), CancellationToken.None).ConfigureAwait(false);
            throw;
        }

        // Recorded whatever happens next: a node the ledger does not know would be launched again.
        var unlaunched = claimed.Except(launched.Select(n => n.JobIndex)).ToList();
        await round.Ledger.ChangeAsync(d => d.Launched(launched).Unclaimed(unlaunched, round.Dispatcher.Id), CancellationToken.None).ConfigureAwait(false);
        return launched;
    }

    /// <summary>
    /// The cloud launched not one of the batch's nodes for the account's limits, and none is up: the batch cannot run at
    /// all. Said with the vCPUs the seats asked for (the unit of EC2's quotas) beside the cloud's refusal, which names
    /// the limit.
    /// </summary>
    private async Task<CloudException> NothingFitsAsync(DispatchRound round, IReadOnlyList<int> claimed, string shortfall, CancellationToken cancellationToken)
    {
        var types = claimed.Select(i => round.Ledger.Document.Rows[i].InstanceType).GroupBy(t => t, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal).ToList();
        var vcpus = await connection.Cloud.GetVcpusAsync(types.Select(g => g.Key).ToList(), cancellationToken).ConfigureAwait(false);
        var asked = $"{types.Sum(g => g.Count() * vcpus.GetValueOrDefault(g.Key)).ToString(CultureInfo.InvariantCulture)} vCPUs " +
            $"({string.Join(", ", types.Select(g => $"{g.Key} x{g.Count()} of {vcpus.GetValueOrDefault(g.Key)} vCPUs"))})";
        return new CloudException(
            "NoInstanceLaunched",
            $"launch {claimed.Count} instances for batch {round.Name}",
            shortfall,
            hint: $"the batch asked for {asked} and the account's limits let not one instance start: ask for a higher quota in Service Quotas " +
                "(EC2, Running On-Demand instances), or run it on another instance type; nothing of the batch runs, 'awsrunner down " + round.Name + "' removes it");
    }

    // The same as the job's own URLs: a node may install again on a re-run long after it was launched.
    private static TimeSpan UrlValidity(DispatchRound round) => TimeSpan.FromHours(round.Settings.MaxHours) + WorkStarter.UrlMargin;

    private async Task<IReadOnlyDictionary<int, NodeInstance>> WaitRunningAsync(
        DispatchRound round, IReadOnlyList<NodeInstance> launched, HashSet<string> adopted, IProgress<NodeProgress>? progress, CancellationToken cancellationToken)
    {
        var ids = launched.Select(n => n.InstanceId).Concat(adopted).ToHashSet(StringComparer.Ordinal);
        foreach (var node in launched)
        {
            progress?.Report(new NodeProgress { Index = node.JobIndex, State = JobState.Booting });
        }

        if (ids.Count == 0)
        {
            return new Dictionary<int, NodeInstance>();
        }

        var nodes = await Polling.UntilAsync(
            async token => (await connection.Cloud.DescribeAsync(round.Name, token).ConfigureAwait(false))
                .Where(n => ids.Contains(n.InstanceId))
                .ToList(),
            // An adopted node that the cloud no longer lists is gone: nothing to wait for.
            described => described.Count >= ids.Count - adopted.Count && described.All(n => n.State != InstanceState.Pending)
                && launched.All(l => described.Any(n => n.InstanceId == l.InstanceId)),
            round.Options.PollInterval,
            round.Options.BootTimeout,
            time,
            cancellationToken).ConfigureAwait(false);
        return nodes.GroupBy(n => n.JobIndex).ToDictionary(g => g.Key, g => g.OrderByDescending(n => n.LaunchTime).First());
    }

    private async Task<NodeOutcome> StartInstallAsync(
        DispatchRound round, NodeInstance node, bool adopted, InstallSource install, TimeSpan maxLifetime, CancellationToken cancellationToken)
    {
        try
        {
            await connection.Shell.WaitReachableAsync(node, cancellationToken).ConfigureAwait(false);
        }
        catch (CloudException e)
        {
            return new NodeOutcome { Index = node.JobIndex, InstanceId = node.InstanceId, State = JobState.Unreachable, Detail = e.Message };
        }

        if (adopted)
        {
            // An adopted node may be installed already, or running its job: it keeps its code and its state.
            var before = await ReportAsync(node, cancellationToken).ConfigureAwait(false);
            if (before is null)
            {
                return new NodeOutcome { Index = node.JobIndex, InstanceId = node.InstanceId, State = JobState.Unreachable, Detail = "the node answered once, then no more" };
            }

            if (before.State is not ("none" or "install-failed"))
            {
                return new NodeOutcome { Index = node.JobIndex, InstanceId = node.InstanceId, State = JobStates.FromRunner(before.State) };
            }
        }

        var settings = new NodeEnvFile();
        foreach (var (name, value) in connection.Cloud.NodeSettings(node))
        {
            settings.Set(name, value);
        }

        var installLog = await connection.Results.CreateUploadUrlAsync(
            round.Bucket, ResultKeys.Job(round.Name, node.JobIndex) + ResultKeys.InstallLog, install.UrlValidity, cancellationToken).ConfigureAwait(false);
        settings.Set("AWSRUNNER_BUNDLE_URL", install.BundleUrl.AbsoluteUri)
            .Set("AWSRUNNER_BUNDLE_SHA256", install.Sha256)
            .Set("AWSRUNNER_URL_INSTALL_LOG", installLog.AbsoluteUri);

        // An absolute time, from the cloud's launch time, that the node counts down on its own clock: this machine's
        // clock plays no part, so a slow one cannot push the switch past the boothook's power-off.
        var armAt = NodeDeadline.SwitchAt(node.LaunchTime, maxLifetime.TotalHours).ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        // Waiting for INSTALL.sh as long as one poll interval, in the command that started it, saves every node with a
        // short one a poll round: a command to each node that, on a fleet of many, costs more than the wait.
        var settleSeconds = Math.Max(1, (long)Math.Ceiling(round.Options.PollInterval.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
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
            return new NodeOutcome { Index = node.JobIndex, InstanceId = node.InstanceId, State = JobState.Unreachable, Detail = e.Message };
        }

        if (result.ExitCode != 0)
        {
            LogInstallStartFailed(logger, node.JobIndex, result.ExitCode, result.Error);
            return new NodeOutcome
            {
                Index = node.JobIndex,
                InstanceId = node.InstanceId,
                State = JobState.InstallFailed,
                ExitCode = result.ExitCode,
                Detail = $"starting the install failed: {result.Error.Trim()}",
            };
        }

        return Installed(new NodeOutcome { Index = node.JobIndex, InstanceId = node.InstanceId, State = JobState.Installing }, NodeReport.Parse(result.Output));
    }

    private async Task PollInstallsAsync(
        DispatchRound round,
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
                    new ParallelOptions { MaxDegreeOfParallelism = round.Options.Parallel, CancellationToken = token },
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
            round.Options.PollInterval,
            round.Options.InstallTimeout,
            time,
            cancellationToken).ConfigureAwait(false);

        foreach (var outcome in outcomes.Values.Where(Installing).ToList())
        {
            outcomes[outcome.Index] = settle(new NodeOutcome(outcome)
            {
                State = JobState.InstallFailed,
                Detail = $"INSTALL.sh was still running after {round.Options.InstallTimeout}",
            });
        }
    }

    /// <summary>How a node's install ended, from where the node stands after it; null when that says nothing of it.</summary>
    private static JobState? InstallEnd(JobState state) =>
        state.IsStarted() || state == JobState.Ready ? JobState.Ready
        : state == JobState.InstallFailed ? JobState.InstallFailed
        : state == JobState.Unreachable ? JobState.Unreachable
        : null;

    /// <summary>The outcome of an install the report says has ended; the same outcome while it runs.</summary>
    private static NodeOutcome Installed(NodeOutcome installing, NodeReport report) => JobStates.FromRunner(report.State) switch
    {
        JobState.Ready => new NodeOutcome(installing) { State = JobState.Ready },
        JobState.InstallFailed => new NodeOutcome(installing) { State = JobState.InstallFailed, ExitCode = report.InstallExitCode, Detail = report.LogTail },
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
        DispatchRound round, ConcurrentDictionary<int, NodeOutcome> outcomes, HashSet<string> adopted, CancellationToken cancellationToken)
    {
        // Failed before their job started: a node that is not installed or not answering holds nothing of value.
        var failed = outcomes.Values
            .Where(o => o.State.IsFinal() && !o.State.IsStarted() && o.InstanceId is not null && !adopted.Contains(o.InstanceId))
            .Select(o => o.InstanceId!)
            .ToList();
        if (failed.Count == 0 || round.Options.KeepFailed)
        {
            return;
        }

        LogTerminatingFailed(logger, failed.Count);
        await connection.Cloud.TerminateAsync(round.Name, failed, cancellationToken).ConfigureAwait(false);
    }

    private static NodeOutcome Report(IProgress<NodeProgress>? progress, NodeOutcome outcome)
    {
        progress?.Report(new NodeProgress { Index = outcome.Index, State = outcome.State, Detail = outcome.Detail });
        return outcome;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The cloud launched fewer nodes than asked; the queue gives their rows to the others: {Shortfall}")]
    private static partial void LogShortfall(ILogger logger, string shortfall);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Starting the install on job {Index}'s node failed with exit code {ExitCode}: {Error}")]
    private static partial void LogInstallStartFailed(ILogger logger, int index, int exitCode, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Job {Index}'s node did not report this round: {Error}")]
    private static partial void LogReportFailed(ILogger logger, int index, string error);

    [LoggerMessage(Level = LogLevel.Information, Message = "Terminating {Count} nodes whose install failed")]
    private static partial void LogTerminatingFailed(ILogger logger, int count);
}
