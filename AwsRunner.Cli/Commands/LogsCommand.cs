using AwsRunner.Cli.Verbs;
using AwsRunner.Core.Dispatch;
using AwsRunner.Core.Jobs;
using Microsoft.Extensions.Logging;

namespace AwsRunner.Cli.Commands;

/// <summary><c>awsrunner logs</c>: a job's log, printed or followed, from its node or, once it is gone, from the bucket.</summary>
internal sealed class LogsCommand(string home, ILoggerFactory loggers)
{
    public async Task<int> RunAsync(LogsVerb verb, CancellationToken cancellationToken)
    {
        BatchName.Validate(verb.Name);
        await using var connection = CloudFactory.Open(verb, verb.Name, home, loggers);
        var output = Console.OpenStandardOutput();
        await using (output.ConfigureAwait(false))
        {
            var batch = await new BatchRunner(connection, home, loggers).OpenAsync(verb.Name, verb.Bucket, cancellationToken).ConfigureAwait(false);
            return await batch.ShowLogAsync(verb.Index, verb.Follow, output, cancellationToken).ConfigureAwait(false);
        }
    }
}
