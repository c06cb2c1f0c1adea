using AwsRunner.Cli.Verbs;
using AwsRunner.Core.Dispatch;
using AwsRunner.Core.Jobs;
using Microsoft.Extensions.Logging;

namespace AwsRunner.Cli.Commands;

/// <summary><c>awsrunner ssh</c>: a shell (or one command) on a job's node, on this terminal.</summary>
internal sealed class SshCommand(string home, ILoggerFactory loggers)
{
    public async Task<int> RunAsync(SshVerb verb, CancellationToken cancellationToken)
    {
        BatchName.Validate(verb.Name);
        await using var connection = CloudFactory.Open(verb, verb.Name, home, loggers);
        // Joined with spaces, as ssh joins its own command words.
        var command = verb.Command.Any() ? string.Join(' ', verb.Command) : null;
        var batch = await new BatchRunner(connection, home, loggers).OpenAsync(verb.Name, verb.Bucket, cancellationToken).ConfigureAwait(false);
        return await batch.AttachAsync(verb.Index, command, cancellationToken).ConfigureAwait(false);
    }
}
