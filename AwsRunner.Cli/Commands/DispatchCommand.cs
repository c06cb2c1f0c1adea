using AwsRunner.Cli.Rendering;
using AwsRunner.Cli.Verbs;
using AwsRunner.Core;
using AwsRunner.Core.Dispatch;
using AwsRunner.Core.Jobs;
using Microsoft.Extensions.Logging;

namespace AwsRunner.Cli.Commands;

/// <summary><c>awsrunner dispatch</c>: plan, create, dispatch and optionally wait.</summary>
internal sealed class DispatchCommand(Terminal terminal, string home, ILoggerFactory loggers)
{
    public async Task<int> RunAsync(DispatchVerb verb, CancellationToken cancellationToken)
    {
        if (verb.Wait && !verb.Dispatch)
        {
            throw new InvalidInputException("Option", "--wait needs --dispatch (to follow a batch already started, use: awsrunner status NAME)");
        }

        BatchName.Validate(verb.Name);
        await using var connection = CloudFactory.Open(verb, verb.Name, home, loggers);
        var options = new DispatchOptions
        {
            ImageId = verb.Image,
            Name = verb.Name,
            JobFile = verb.JobFile,
            Create = verb.Create,
            Dispatch = verb.Dispatch,
            InstallScript = verb.Install,
            CodeDirectory = verb.Code,
            ResultPaths = verb.Results?.ToList() is { Count: > 0 } results ? results : ["output"],
            MaxHours = verb.MaxHours,
            Bucket = verb.Bucket,
            JobTimeout = CliValues.Duration(verb.Timeout, "--timeout"),
            HeartbeatInterval = CliValues.Duration(verb.Heartbeat, "--heartbeat") ?? TimeSpan.FromMinutes(1),
            Parallel = verb.Parallel,
            MaxUploadBytes = CliValues.Size(verb.MaxUpload, "--max-upload") ?? 1L << 30,
            KeepFailed = verb.KeepFailed,
            BootTimeout = CliValues.Duration(verb.BootTimeout, "--boot-timeout") ?? TimeSpan.FromMinutes(10),
            PollInterval = PollInterval(connection.Kind),
        };
        var runner = new BatchRunner(connection, home, loggers);

        if (!verb.Create && !verb.Dispatch)
        {
            var plan = runner.Plan(options);
            if (verb.Json)
            {
                terminal.Result(JsonOutput.Serialize(PlanView.From(plan)));
            }
            else
            {
                foreach (var line in PlanView.Lines(plan, connection.Results.Describe(plan.Bucket, plan.Name + "/")))
                {
                    terminal.Result(line);
                }

                terminal.Result("Nothing created. Add --create to create the nodes and --dispatch to start the jobs.");
            }

            return ExitCodes.Ok;
        }

        var progress = new SynchronousProgress<NodeProgress>(p => terminal.Info(NodeLine(p), verb.Json));
        var result = await runner.DispatchAsync(options, progress, cancellationToken).ConfigureAwait(false);
        var failures = result.Failures;
        terminal.Info(Summary(verb, result), verb.Json);

        if (!verb.Wait)
        {
            if (verb.Json)
            {
                terminal.Result(JsonOutput.Serialize(new { plan = PlanView.From(result.Plan), nodes = result.Nodes }));
            }
            else if (verb.Dispatch)
            {
                terminal.Info($"Follow it with: awsrunner status {verb.Name}; bring results home with: awsrunner fetch {verb.Name} ./output");
            }

            return failures.Count > 0 ? ExitCodes.CloudError : ExitCodes.Ok;
        }

        var counts = "";
        var status = await runner.WaitAsync(verb.Name, verb.Bucket, options.PollInterval, new SynchronousProgress<BatchStatus>(s =>
        {
            var line = StatusView.CountsLine(s);
            if (line != counts)
            {
                counts = line;
                terminal.Info($"{DateTime.Now:HH:mm:ss}  {line}", verb.Json);
            }
        }), cancellationToken).ConfigureAwait(false);

        if (verb.Json)
        {
            terminal.Result(JsonOutput.Serialize(StatusView.From(status)));
        }
        else
        {
            foreach (var line in StatusView.Lines(status))
            {
                terminal.Result(line);
            }
        }

        return StatusView.ExitCode(status);
    }

    private static TimeSpan PollInterval(string cloud) => cloud == "local" ? TimeSpan.FromSeconds(0.5) : TimeSpan.FromSeconds(10);

    private static string NodeLine(NodeProgress progress)
    {
        var line = $"  job {JobIndex.Format(progress.Index)}  {progress.State.ToName()}";
        return progress.Detail is null
            ? line
            : line + Environment.NewLine + string.Join(Environment.NewLine, progress.Detail.Split('\n').Select(l => "      | " + l));
    }

    private static string Summary(DispatchVerb verb, DispatchResult result)
    {
        var total = result.Nodes.Count;
        var failed = result.Failures.Count;
        var what = verb.Dispatch ? "started" : "ready";
        var line = $"Batch {verb.Name}: {total - failed} of {total} nodes {what}";
        return failed == 0
            ? line + "."
            : line + $"; {failed} failed: " + string.Join(", ", result.Failures.Select(f => $"{JobIndex.Format(f.Index)} {f.State.ToName()}" + (f.ExitCode is { } c ? $" (exit {c})" : "")));
    }
}
