using AwsRunner.Core.Cloud;
using Microsoft.Extensions.Logging;

namespace AwsRunner.Core.Dispatch;

/// <summary>
/// Moves the rows worth another attempt (spot taken back, node lost, or an exit code the user asked to retry) on to
/// their next attempt in the manifest: the attempt that ended is recorded, the row loses its node (what is left of it
/// is terminated), and after <see cref="DispatchOptions.SpotFallbackAfter"/> preemptions it runs on demand. A create
/// and dispatch then run the rows that have no node, each attempt at its own prefix.
/// </summary>
internal sealed partial class RetryRound(CloudConnection connection, ILogger<RetryRound> logger)
{
    private readonly ManifestStore manifests = new(connection.Results);

    public static IReadOnlyList<JobStatus> Due(BatchStatus status, DispatchOptions options) => status.Jobs
        .Where(j => j.Attempt - 1 < options.MaxRetries
            && (j.State is JobState.Preempted or JobState.Lost
                || (j.State == JobState.Failed && j.ExitCode is { } code && options.RetryOnExit.Contains(code))))
        .ToList();

    public async Task AdvanceAsync(string name, string bucket, IReadOnlyList<JobStatus> due, DispatchOptions options, CancellationToken cancellationToken)
    {
        var manifest = await manifests.RequireAsync(bucket, name, cancellationToken).ConfigureAwait(false);
        var described = (await connection.Cloud.DescribeAsync(name, cancellationToken).ConfigureAwait(false)).ToDictionary(n => n.InstanceId, StringComparer.Ordinal);
        var leftover = due
            .Select(j => j.InstanceId is { } id ? described.GetValueOrDefault(id) : null)
            .Where(n => n is { State: InstanceState.Pending or InstanceState.Running or InstanceState.Stopping or InstanceState.Stopped })
            .Select(n => n!.InstanceId)
            .ToList();
        if (leftover.Count > 0)
        {
            await connection.Cloud.TerminateAsync(name, leftover, cancellationToken).ConfigureAwait(false);
        }

        var ended = due.ToDictionary(j => j.Index);
        await manifests.SaveAsync(manifest with
        {
            Rows = manifest.Rows.Select(row => ended.TryGetValue(row.Index, out var job) ? Next(row, job, described, options) : row).ToList(),
        }, cancellationToken).ConfigureAwait(false);
    }

    private ManifestRow Next(ManifestRow row, JobStatus ended, IReadOnlyDictionary<string, NodeInstance> described, DispatchOptions options)
    {
        var spot = row.InstanceId is { } id && described.GetValueOrDefault(id)?.Spot == true;
        var earlier = (row.Attempts?.Earlier ?? []).Append(new ManifestAttempt(RowAttempts.CurrentOf(row), ended.State.ToName(), ended.ExitCode, row.InstanceId, spot)).ToList();
        // A spot node lost without a word was most likely taken back before its runner could say so.
        var preemptions = earlier.Count(a => a.State == JobState.Preempted.ToName() || (a.Spot && a.State == JobState.Lost.ToName()));
        var onDemand = row.Attempts?.OnDemand == true || preemptions >= options.SpotFallbackAfter;
        LogRetrying(logger, row.Index, earlier[^1].Attempt, earlier[^1].State, earlier[^1].Attempt + 1, onDemand ? "on demand" : "as before");
        return row with
        {
            Attempts = new RowAttempts { Current = earlier.Count + 1, Earlier = earlier, OnDemand = onDemand },
            InstanceId = null,
            Install = null,
            InstallExitCode = null,
            DispatchedAt = null,
        };
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Job {Index}: attempt {Attempt} {State}; starting attempt {Next} {How}")]
    private static partial void LogRetrying(ILogger logger, int index, int attempt, string state, int next, string how);
}
