using AwsRunner.Cli.Rendering;
using AwsRunner.Cli.Verbs;
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

        await using var connection = CloudFactory.Open(verb, verb.Name, home, loggers);
        var runner = new BatchRunner(connection, home, loggers);
        if (verb.Name is null)
        {
            var batches = await runner.ListAsync(cancellationToken).ConfigureAwait(false);
            if (verb.Json)
            {
                terminal.Result(JsonOutput.Serialize(batches));
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
