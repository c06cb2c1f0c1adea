using AwsRunner.Cli.Rendering;
using AwsRunner.Cli.Verbs;
using AwsRunner.Core;
using AwsRunner.Core.Dispatch;
using AwsRunner.Core.Jobs;
using Microsoft.Extensions.Logging;

namespace AwsRunner.Cli.Commands;

/// <summary><c>awsrunner status</c>: one batch's jobs, or every batch that still has nodes or results.</summary>
internal sealed class StatusCommand(Terminal terminal, string home, ILoggerFactory loggers)
{
    public async Task<int> RunAsync(StatusVerb verb, CancellationToken cancellationToken)
    {
        if (verb.Name is null)
        {
            return verb.Watch
                ? throw new InvalidInputException("Option", "--watch needs a batch NAME")
                : await ListAsync(verb, cancellationToken).ConfigureAwait(false);
        }

        BatchName.Validate(verb.Name);
        await using var connection = CloudFactory.Open(verb, verb.Name, home, loggers);
        var batch = await new BatchRunner(connection, home, loggers).OpenAsync(verb.Name, verb.Bucket, cancellationToken).ConfigureAwait(false);
        if (verb.Watch)
        {
            var interval = CliValues.Duration(verb.Interval, "--interval");
            return await new StatusWatch(terminal, batch, verb).RunAsync(interval, cancellationToken).ConfigureAwait(false);
        }

        var status = await batch.GetStatusAsync(cancellationToken).ConfigureAwait(false);
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

        return ExitCodes.Ok;
    }

    private async Task<int> ListAsync(StatusVerb verb, CancellationToken cancellationToken)
    {
        // One line for each record that does not read; every other batch is listed all the same.
        foreach (var damaged in BatchRecords.Damaged(home))
        {
            terminal.Error($"awsrunner: {damaged}");
        }

        // Without --region the batches this machine dispatched say where to look: the environment's or a profile's
        // region need be none of theirs.
        var regions = verb.Region is null && (verb.Cloud ?? "aws") == "aws" ? CloudFactory.RecordedRegions(verb, home) : [];
        if (regions.Count == 0)
        {
            await using var connection = CloudFactory.Open(verb, batch: null, home, loggers);
            var batches = await new BatchRunner(connection, home, loggers).ListAsync(cancellationToken).ConfigureAwait(false);
            Print(verb, batches.Select(b => (b, (string?)null)).ToList(), $"on the {connection.Kind} cloud", looked: null);
            return ExitCodes.Ok;
        }

        var found = new List<(BatchSummary, string?)>();
        foreach (var (region, endpoint) in regions)
        {
            await using var connection = CloudFactory.OpenAws(verb, region, endpoint, home, loggers);
            var batches = await new BatchRunner(connection, home, loggers).ListAsync(cancellationToken).ConfigureAwait(false);
            found.AddRange(batches.Select(b => (b, (string?)region)));
        }

        var names = string.Join(", ", regions.Select(r => r.Region).Distinct());
        Print(verb, found, $"in {names}", $"Looked in {names}, the regions of this machine's batches (--region for another).");
        return ExitCodes.Ok;
    }

    private void Print(StatusVerb verb, IReadOnlyList<(BatchSummary Batch, string? Region)> batches, string where, string? looked)
    {
        if (verb.Json)
        {
            terminal.Result(JsonOutput.Serialize(new
            {
                schema = StatusView.ListSchema,
                batches = batches.Select(b => new
                {
                    name = b.Batch.Name,
                    cloud = b.Batch.Cloud,
                    region = b.Region,
                    live_instances = b.Batch.LiveInstances,
                    instance_hours = Math.Round(b.Batch.InstanceHours, 3),
                    jobs = b.Batch.Jobs,
                    finished = b.Batch.Finished,
                }),
            }));
            return;
        }

        if (batches.Count == 0)
        {
            terminal.Result($"No batch has nodes or results {where}.");
        }
        else
        {
            foreach (var line in StatusView.ListLines(batches))
            {
                terminal.Result(line);
            }
        }

        if (looked is not null && batches.Count > 0)
        {
            terminal.Info(looked);
        }
    }
}
