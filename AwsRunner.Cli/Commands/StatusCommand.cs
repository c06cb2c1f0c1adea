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
        if (verb.Name is not null)
        {
            BatchName.Validate(verb.Name);
        }
        else if (verb.Watch)
        {
            throw new InvalidInputException("Option", "--watch needs a batch NAME");
        }

        await using var connection = CloudFactory.Open(verb, verb.Name, home, loggers);
        var runner = new BatchRunner(connection, home, loggers);
        if (verb.Name is null)
        {
            var batches = await runner.ListAsync(cancellationToken).ConfigureAwait(false);
            if (verb.Json)
            {
                terminal.Result(JsonOutput.Serialize(new
                {
                    schema = StatusView.ListSchema,
                    batches = batches.Select(b => new
                    {
                        name = b.Name,
                        cloud = b.Cloud,
                        live_instances = b.LiveInstances,
                        instance_hours = Math.Round(b.InstanceHours, 3),
                        jobs = b.Jobs,
                        finished = b.Finished,
                    }),
                }));
            }
            else if (batches.Count == 0)
            {
                terminal.Result($"No batch has nodes or results on the {connection.Kind} cloud.");
            }
            else
            {
                foreach (var line in StatusView.ListLines(batches))
                {
                    terminal.Result(line);
                }
            }

            return ExitCodes.Ok;
        }

        if (verb.Watch)
        {
            var interval = CliValues.Duration(verb.Interval, "--interval") ?? (connection.Kind == "local" ? TimeSpan.FromSeconds(2) : TimeSpan.FromSeconds(10));
            return await new StatusWatch(terminal, runner, verb).RunAsync(interval, cancellationToken).ConfigureAwait(false);
        }

        var status = await runner.GetStatusAsync(verb.Name, verb.Bucket, cancellationToken).ConfigureAwait(false);
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
}
