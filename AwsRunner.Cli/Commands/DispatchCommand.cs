using AwsRunner.Cli.Rendering;
using AwsRunner.Cli.Verbs;
using AwsRunner.Core;
using AwsRunner.Core.Dispatch;
using AwsRunner.Core.Jobs;
using Microsoft.Extensions.Logging;
using Spectre.Console;

namespace AwsRunner.Cli.Commands;

/// <summary><c>awsrunner dispatch</c>: plan, create, dispatch and optionally wait.</summary>
internal sealed class DispatchCommand(Terminal terminal, string home, ILoggerFactory loggers)
{
    public async Task<int> RunAsync(DispatchVerb verb, CancellationToken cancellationToken)
    {
        if (verb.Wait && !(verb.Dispatch || verb.RetryLost))
        {
            throw new InvalidInputException("Option", "--wait needs --dispatch (to follow a batch already started, use: awsrunner status NAME)");
        }

        BatchName.Validate(verb.Name);
        await using var connection = CloudFactory.Open(verb, verb.Name, home, loggers);
        var options = Options(verb, connection.Kind);
        var runner = new BatchRunner(connection, home, loggers);

        if (!options.Create && !options.Dispatch)
        {
            var plan = await runner.PlanAsync(options, cancellationToken).ConfigureAwait(false);
            ShowPlan(verb, plan);
            return ExitCodes.Ok;
        }

        var run = new Run(verb, options, runner);
        int exitCode;
        if (verb.NoProgress || verb.Json || terminal.Quiet || !terminal.Interactive)
        {
            exitCode = await run.ExecuteAsync(new LineView(terminal, verb.Json), terminal, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            var board = new BatchBoard(verb.Name, TimeProvider.System);
            exitCode = 0;
            LiveView? view = null;
            await AnsiConsole.Live(LiveBoard.Render(board)).StartAsync(async context =>
            {
                view = new LiveView(board, context);
                exitCode = await run.ExecuteAsync(view, terminal, cancellationToken).ConfigureAwait(false);
            }).ConfigureAwait(false);
            foreach (var detail in view?.Details ?? [])
            {
                terminal.Info(LineView.Line(detail));
            }

            run.ShowOutcome(terminal);
        }

        // After the board's last frame, never under it: what exists now, how to resume, how to take it down.
        if (run.Interrupted)
        {
            await new Interruption(terminal, runner).ReportAsync(verb.Name, verb.Bucket).ConfigureAwait(false);
        }

        return exitCode;
    }

    private static DispatchOptions Options(DispatchVerb verb, string cloud) => new()
    {
        ImageId = verb.Image,
        Name = verb.Name,
        JobFile = verb.JobFile,
        Create = verb.Create || verb.RetryLost,
        Dispatch = verb.Dispatch || verb.RetryLost,
        RetryLost = verb.RetryLost,
        InstallScript = verb.Install,
        CodeDirectory = verb.Code,
        CodeIncludeSecrets = verb.CodeIncludeSecrets,
        ResultPaths = verb.Results?.ToList() is { Count: > 0 } results ? results : [Defaults.ResultPath],
        MaxHours = verb.MaxHours,
        Bucket = verb.Bucket,
        JobTimeout = CliValues.Duration(verb.Timeout, "--timeout"),
        HeartbeatInterval = CliValues.Duration(verb.Heartbeat, "--heartbeat"),
        Parallel = NodesAtOnce(verb),
        MaxUploadBytes = CliValues.Size(verb.MaxUpload, "--max-upload") ?? Defaults.MaxUploadBytes,
        ResultPartSize = CliValues.Size(verb.ResultPartSize, "--result-part-size") ?? Defaults.ResultPartSize,
        KeepFailed = verb.KeepFailed,
        Secrets = verb.Secret?.Select(JobSecret.Parse).ToList() ?? [],
        BootTimeout = CliValues.Duration(verb.BootTimeout, "--boot-timeout") ?? Defaults.BootTimeout,
        PollInterval = cloud == "local" ? TimeSpan.FromSeconds(0.5) : TimeSpan.FromSeconds(10),
        MaxRetries = verb.MaxRetries,
        SpotFallbackAfter = verb.SpotFallbackAfter,
        RetryOnExit = verb.RetryOnExit?.ToList() ?? [],
        Slots = CliValues.Slots(verb.Slots),
        MaxInstances = CliValues.MaxInstances(verb.MaxInstances).All,
        MaxInstancesByType = CliValues.MaxInstances(verb.MaxInstances).ByType,
    };

    private static int NodesAtOnce(DispatchVerb verb) => (verb.NodesAtOnce, verb.Parallel) switch
    {
        ({ } nodes, { } parallel) when nodes != parallel =>
            throw new InvalidInputException("Option", $"--nodes-at-once {nodes} and --parallel {parallel}: --parallel is the old name of --nodes-at-once; give one"),
        ({ } nodes, _) => nodes,
        (null, { } parallel) => parallel,
        _ => Defaults.Parallel,
    };

    private void ShowPlan(DispatchVerb verb, BatchPlan plan)
    {
        if (verb.Json)
        {
            terminal.Result(JsonOutput.Serialize(PlanView.From(plan)));
            return;
        }

        foreach (var line in PlanView.Lines(plan))
        {
            terminal.Result(line);
        }

        terminal.Result("Nothing created. Add --create to create the nodes and --dispatch to start the jobs.");
    }

    /// <summary>What a dispatch did, in one line: nodes started or ready, failures, and rows run on demand.</summary>
    internal static string Summary(string name, bool dispatched, DispatchResult result)
    {
        var total = result.Nodes.Count;
        var failed = result.Failures.Count;
        var earlier = result.Nodes.Count(n => n.FinishedEarlier);
        // Rows whose launch another dispatcher of the batch claimed: theirs to start.
        var elsewhere = result.Nodes.Count(n => n.State == JobState.Launching);
        var what = dispatched ? "started" : "ready";
        var line = $"Batch {name}: {total - failed - earlier - elsewhere} of {total} nodes {what}";
        if (earlier > 0)
        {
            line += $", {earlier} jobs finished in an earlier run";
        }

        if (elsewhere > 0)
        {
            line += $", {elsewhere} launched by another dispatcher of this batch";
        }

        if (failed > 0)
        {
            line += $"; {failed} failed: " + string.Join(", ", result.Failures.Select(f => $"{JobIndex.Format(f.Index)} {f.State.ToName()}" + (f.ExitCode is { } c ? $" (exit {c})" : "")));
        }

        if (result.Shortfall is { } shortfall)
        {
            line += $"; the cloud launched fewer nodes, the others take their rows ({shortfall})";
        }

        if (StatusView.OnDemandLine(result.Nodes.Select(n => (n.Index, n.SpotRefusal))) is { } onDemand)
        {
            line += "; " + onDemand;
        }

        foreach (var overstay in StatusView.OverstayLines(result.Overstaying, _ => "finished"))
        {
            line += "; " + overstay;
        }

        return line + ".";
    }

    /// <summary>
    /// One dispatch (and wait), whatever view shows it; what it found, and what an interruption left, is shown once the
    /// view is done: a line written while the live board is up would be drawn over by its last frame.
    /// </summary>
    private sealed class Run(DispatchVerb verb, DispatchOptions options, BatchRunner runner)
    {
        private readonly List<string> outcome = [];

        /// <summary>Ctrl-C stopped it, in any phase; the caller says what that left once the view is done.</summary>
        public bool Interrupted { get; private set; }

        public async Task<int> ExecuteAsync(IDispatchView view, Terminal terminal, CancellationToken cancellationToken)
        {
            view.Phase(options.Create ? "creating" : "dispatching");
            try
            {
                return await DispatchAndWaitAsync(view, terminal, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                Interrupted = true;
                ShowIfLines(view, terminal);
                return ExitCodes.Interrupted;
            }
        }

        private async Task<int> DispatchAndWaitAsync(IDispatchView view, Terminal terminal, CancellationToken cancellationToken)
        {
            var batch = await runner.DispatchAsync(options, new SynchronousProgress<NodeProgress>(view.Node), cancellationToken).ConfigureAwait(false);
            var result = batch.Dispatched!;
            if (result.Restarted)
            {
                outcome.Add($"Batch {verb.Name} was taken down earlier; starting it afresh (a new attempt for every job; the earlier results stay in the bucket).");
            }

            outcome.Add(Summary(verb.Name, options.Dispatch, result));
            if (!verb.Wait)
            {
                if (verb.Json)
                {
                    var nodes = result.Nodes.Select(n => new
                    {
                        n.Index, n.InstanceId, n.State, n.ExitCode, Detail = OptionFlags.ApplyOrNull(n.Detail), n.FinishedEarlier, n.SpotRefusal,
                    });
                    outcome.Add(JsonOutput.Serialize(new { plan = PlanView.From(result.Plan), nodes }));
                }
                else if (options.Dispatch)
                {
                    outcome.Add($"Follow it with: awsrunner status {verb.Name}; bring results home with: awsrunner fetch {verb.Name} ./output");
                }

                ShowIfLines(view, terminal);
                return result.Failures.Count > 0 ? ExitCodes.CloudError : ExitCodes.Ok;
            }

            view.Phase("running");
            var status = await batch.WaitAsync(new SynchronousProgress<BatchStatus>(view.Status), new SynchronousProgress<NodeProgress>(view.Node), cancellationToken: cancellationToken)
                .ConfigureAwait(false);
            view.Phase("finished");
            if (status.TakenDownAt is { } down)
            {
                ShowIfLines(view, terminal);
                terminal.Error($"awsrunner: batch {verb.Name} was taken down at {down:u} (awsrunner down); stopped waiting, nothing more is launched. A new dispatch --create starts it afresh.");
                return ExitCodes.CloudError;
            }

            outcome.AddRange(verb.Json ? [JsonOutput.Serialize(StatusView.From(status))] : StatusView.Lines(status));
            ShowIfLines(view, terminal);
            return StatusView.ExitCode(status);
        }

        /// <summary>The summary and final table; printed after the live board, or at once in line mode.</summary>
        public void ShowOutcome(Terminal terminal)
        {
            foreach (var line in outcome)
            {
                terminal.Result(line);
            }

            outcome.Clear();
        }

        private void ShowIfLines(IDispatchView view, Terminal terminal)
        {
            if (view is LineView)
            {
                ShowOutcome(terminal);
            }
        }
    }
}
