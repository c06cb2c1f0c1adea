using System.Globalization;
using AwsRunner.Cli.Rendering;
using AwsRunner.Cli.Verbs;
using AwsRunner.Core;
using AwsRunner.Core.Dispatch;
using AwsRunner.Core.Jobs;
using Microsoft.Extensions.Logging;

namespace AwsRunner.Cli.Commands;

/// <summary><c>awsrunner fetch</c>: brings finished jobs home and says which failed or are missing.</summary>
internal sealed class FetchCommand(Terminal terminal, string home, ILoggerFactory loggers)
{
    public async Task<int> RunAsync(FetchVerb verb, CancellationToken cancellationToken)
    {
        BatchName.Validate(verb.Name);
        var options = CliValues.Size(verb.MaxResultSize, "--max-result-size") is { } maxResultBytes
            ? new FetchOptions { MaxResultBytes = maxResultBytes }
            : new FetchOptions();
        await using var connection = CloudFactory.Open(verb, verb.Name, home, loggers);
        var runner = new BatchRunner(connection, home, loggers);
        if (verb.MergeSource is not null && verb.Merge is null)
        {
            throw new InvalidInputException("Option", "--merge-source needs --merge FILE.csv");
        }

        var batch = await runner.OpenAsync(verb.Name, verb.Bucket, cancellationToken).ConfigureAwait(false);
        var result = await batch.FetchAsync(verb.Output, options, cancellationToken).ConfigureAwait(false);
        var merged = verb.Merge is null ? null : batch.Merge(verb.Output, verb.Merge, verb.MergeSource);
        if (verb.Json)
        {
            terminal.Result(JsonOutput.Serialize(new
            {
                output = result.OutputDirectory,
                downloaded = result.Downloaded,
                skipped = result.Skipped,
                bytes = result.Bytes,
                succeeded = result.Succeeded.Select(j => j.Index),
                failed = result.Failed.Select(j => new { index = j.Index, exit_code = j.ExitCode }),
                missing = result.Missing.Select(j => j.Index),
                not_fetched = result.NotFetched.Select(j => new { index = j.Index, error = OptionFlags.ApplyOrNull(j.Error) }),
                merged = merged is null ? null : new
                {
                    file = merged.MergedFile,
                    rows = merged.Rows,
                    jobs = merged.Jobs,
                    left_out = merged.LeftOut.Select(l => new { index = l.Index, reason = OptionFlags.Apply(l.Reason) }),
                },
            }));
            return ExitCode(result, merged);
        }

        terminal.Result(FetchSummary.Line(verb.Name, result));
        terminal.Result($"{result.Jobs.Count} jobs: {result.Succeeded.Count} succeeded, {result.Failed.Count} failed, {result.Missing.Count} missing"
            + (result.NotFetched.Count > 0 ? $", {result.NotFetched.Count} not fetched." : "."));
        if (result.Failed.Count > 0)
        {
            terminal.Result("  failed:  " + string.Join(", ", result.Failed.Select(j => $"{JobIndex.Format(j.Index)} (exit {j.ExitCode?.ToString(CultureInfo.InvariantCulture)})")));
        }

        if (result.Missing.Count > 0)
        {
            terminal.Result("  missing: " + string.Join(", ", result.Missing.Select(j => JobIndex.Format(j.Index))) + $" (still running or lost: awsrunner status {verb.Name})");
        }

        foreach (var job in result.NotFetched)
        {
            terminal.Error($"awsrunner: job {JobIndex.Format(job.Index)} not fetched: {OptionFlags.ApplyOrNull(job.Error)}");
        }

        if (merged is not null)
        {
            terminal.Result(merged.Jobs > 0
                ? $"Merged {merged.Rows} rows from {merged.Jobs} jobs into {merged.MergedFile}."
                : $"Nothing merged into {merged.MergedFile}: " + (merged.LeftOut.Count > 0 ? "no job's results could be read." : "no job has finished yet."));
            foreach (var left in merged.LeftOut)
            {
                terminal.Error($"awsrunner: job {JobIndex.Format(left.Index)} left out of the merge: {OptionFlags.Apply(left.Reason)}");
            }
        }

        return ExitCode(result, merged);
    }

    // The others were fetched; what a node uploaded and fetch refused is a node's failure, for the user to look at. A
    // table that lacks a job's results is not a whole one: a script must not take it for one.
    private static int ExitCode(FetchResult result, MergeResult? merged) =>
        result.NotFetched.Count > 0 ? ExitCodes.CloudError
        : merged?.LeftOut.Count > 0 ? ExitCodes.JobFailed
        : ExitCodes.Ok;
}
