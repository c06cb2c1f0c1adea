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

    /// <summary>
    /// Every batch with nodes or results: on the local cloud, and on AWS in the regions this machine's batch records
    /// name (or the one --region names). Without --region and with no AWS batch recorded, AWS is not asked: no region
    /// is needed to list what this machine made.
    /// </summary>
    private async Task<int> ListAsync(StatusVerb verb, CancellationToken cancellationToken)
    {
        // One line for each record that does not read; every other batch is listed all the same.
        foreach (var damaged in BatchRecords.Damaged(home))
        {
            terminal.Error($"awsrunner: {damaged}");
        }

        if (verb.Cloud is not (null or "aws" or "local"))
        {
            throw new InvalidInputException("Cloud", $"--cloud \"{verb.Cloud}\": must be aws or local");
        }

        var found = new List<(BatchSummary, string?)>();
        var places = new List<string>();
        if (verb.Cloud is null or "local")
        {
            await using var connection = CloudFactory.OpenLocal(verb, home, loggers);
            found.AddRange((await new BatchRunner(connection, home, loggers).ListAsync(cancellationToken).ConfigureAwait(false)).Select(b => (b, (string?)null)));
            places.Add("on the local cloud");
        }

        string? looked = null;
        if (verb.Cloud is null or "aws")
        {
            // The batches this machine dispatched say where to look: the environment's or a profile's region need be
            // none of theirs.
            var regions = verb.Region is null ? CloudFactory.RecordedRegions(verb, home) : [];
            if (regions.Count == 0 && (verb.Region is not null || verb.Cloud == "aws"))
            {
                await using var connection = CloudFactory.Open(verb, batch: null, home, loggers);
                found.AddRange((await new BatchRunner(connection, home, loggers).ListAsync(cancellationToken).ConfigureAwait(false)).Select(b => (b, connection.Region)));
                places.Add(connection.Region is null ? "on AWS" : $"in {connection.Region}");
            }

            foreach (var (region, endpoint) in regions)
            {
                await using var connection = CloudFactory.OpenAws(verb, region, endpoint, home, loggers);
                var batches = await new BatchRunner(connection, home, loggers).ListAsync(cancellationToken).ConfigureAwait(false);
                found.AddRange(batches.Select(b => (b, (string?)region)));
            }

            var names = string.Join(", ", regions.Select(r => r.Region).Distinct());
            if (regions.Count > 0)
            {
                places.Add($"in {names}");
                looked = $"Looked {string.Join(" and ", places)}, the regions of this machine's AWS batches (--region for another).";
            }
            else if (verb.Region is null && verb.Cloud is null)
            {
                looked = "Looked on the local cloud; this machine has no AWS batch (--region REGION looks on AWS).";
            }
        }

        Print(verb, found.OrderBy(b => b.Item1.Name, StringComparer.Ordinal).ToList(), string.Join(" or ", places), looked);
        return ExitCodes.Ok;
    }

    private void Print(StatusVerb verb, List<(BatchSummary Batch, string? Region)> batches, string where, string? looked)
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
            if (looked is not null && looked.Contains("--region REGION", StringComparison.Ordinal))
            {
                terminal.Info(looked);
            }
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
