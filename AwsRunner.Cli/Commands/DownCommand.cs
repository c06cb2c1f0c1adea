using AwsRunner.Cli.Rendering;
using AwsRunner.Cli.Verbs;
using AwsRunner.Core.Dispatch;
using AwsRunner.Core.Jobs;
using Microsoft.Extensions.Logging;

namespace AwsRunner.Cli.Commands;

/// <summary><c>awsrunner down</c>: terminates and removes what a batch created.</summary>
internal sealed class DownCommand(Terminal terminal, string home, ILoggerFactory loggers)
{
    public async Task<int> RunAsync(DownVerb verb, CancellationToken cancellationToken)
    {
        BatchName.Validate(verb.Name);
        await using var connection = CloudFactory.Open(verb, verb.Name, home, loggers);
        var runner = new BatchRunner(connection, home, loggers);
        var result = await runner.DownAsync(verb.Name, verb.DeleteResults, verb.Bucket, cancellationToken).ConfigureAwait(false);
        terminal.Result($"Batch {result.Name}: {result.Terminated} instances terminated; key pair and firewall removed.");
        terminal.Result(result.ResultsDeleted
            ? $"Results deleted from {result.ResultsLocation}."
            : $"Results kept in {result.ResultsLocation} (awsrunner down {result.Name} --delete-results removes them).");
        return ExitCodes.Ok;
    }
}
