using AwsRunner.Cli.Rendering;
using AwsRunner.Cli.Verbs;
using AwsRunner.Core.Dispatch;
using AwsRunner.Core.Jobs;
using Microsoft.Extensions.Logging;

namespace AwsRunner.Cli.Commands;

/// <summary><c>awsrunner put</c> and <c>get</c>: a file or a folder to or from a job's node, over the batch's own transport.</summary>
internal sealed class CopyCommand(Terminal terminal, string home, ILoggerFactory loggers)
{
    public async Task<int> PutAsync(PutVerb verb, CancellationToken cancellationToken)
    {
        BatchName.Validate(verb.Name);
        await using var connection = CloudFactory.Open(verb, verb.Name, home, loggers);
        using var progress = CopyProgressLine.ForConsole(terminal.Quiet);
        var batch = await new BatchRunner(connection, home, loggers).OpenAsync(verb.Name, verb.Bucket, cancellationToken).ConfigureAwait(false);
        await batch.PutAsync(verb.Index, verb.Local, verb.Remote, progress, cancellationToken).ConfigureAwait(false);
        progress?.Finish();
        terminal.Info($"Copied {verb.Local} to job {JobIndex.Format(verb.Index)}'s node ({Where(verb.Remote)}).");
        return ExitCodes.Ok;
    }

    public async Task<int> GetAsync(GetVerb verb, CancellationToken cancellationToken)
    {
        BatchName.Validate(verb.Name);
        await using var connection = CloudFactory.Open(verb, verb.Name, home, loggers);
        using var progress = CopyProgressLine.ForConsole(terminal.Quiet);
        var batch = await new BatchRunner(connection, home, loggers).OpenAsync(verb.Name, verb.Bucket, cancellationToken).ConfigureAwait(false);
        await batch.GetAsync(verb.Index, verb.Remote, verb.Local, progress, cancellationToken).ConfigureAwait(false);
        progress?.Finish();
        terminal.Info($"Copied {Where(verb.Remote)} from job {JobIndex.Format(verb.Index)}'s node to {verb.Local ?? "."}.");
        return ExitCodes.Ok;
    }

    private static string Where(string? remote) => remote switch
    {
        null or "" => "~/code",
        _ when remote.StartsWith('/') || remote.StartsWith('~') => remote,
        _ => "~/code/" + remote,
    };
}
