using AwsRunner.Cli.Rendering;
using AwsRunner.Cli.Verbs;
using AwsRunner.Core;
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
        if (!verb.Yes && !await ConfirmAsync(runner, verb, cancellationToken).ConfigureAwait(false))
        {
            terminal.Error("awsrunner: nothing terminated.");
            return ExitCodes.BadInput;
        }

        var result = await runner.DownAsync(verb.Name, verb.DeleteResults, verb.Bucket, cancellationToken).ConfigureAwait(false);
        // A local batch has no key pair or firewall: its nodes are processes and folders.
        terminal.Result(connection.Kind == "local"
            ? $"Batch {result.Name}: {result.Terminated} local nodes powered off; their processes ended and their folders removed."
            : $"Batch {result.Name}: {result.Terminated} instances terminated; key pair and firewall removed.");
        terminal.Result(result.ResultsDeleted
            ? $"Results deleted from {result.ResultsLocation}."
            : $"Results kept in {result.ResultsLocation} (awsrunner down {result.Name} --delete-results removes them).");
        return ExitCodes.Ok;
    }

    /// <summary>Whether down may go on: no job still runs, or a person said so; a script is told to say --yes.</summary>
    private async Task<bool> ConfirmAsync(BatchRunner runner, DownVerb verb, CancellationToken cancellationToken)
    {
        var running = await runner.FindRunningJobsAsync(verb.Name, verb.Bucket, cancellationToken).ConfigureAwait(false);
        if (running.Count == 0)
        {
            return true;
        }

        const int Shown = 10;
        var jobs = string.Join(", ", running.Take(Shown).Select(JobIndex.Format)) + (running.Count > Shown ? ", ..." : "");
        return terminal.CanAsk
            ? await terminal.AskAsync($"{running.Count} jobs still run ({jobs}); terminate them? [y/N] ", cancellationToken).ConfigureAwait(false)
            : throw new InvalidInputException("Down",
                $"{running.Count} jobs of batch {verb.Name} still run ({jobs}): down would terminate them, and no one is at a terminal to say so; run it with --yes to terminate them");
    }
}
