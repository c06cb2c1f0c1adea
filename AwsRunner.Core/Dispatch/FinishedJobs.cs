using AwsRunner.Core.Cloud;

namespace AwsRunner.Core.Dispatch;

/// <summary>
/// The jobs of a batch whose result is already in the bucket. A re-run of a dispatch leaves them alone, so that an
/// interrupted or partly failed batch is completed, never run twice.
/// </summary>
internal static class FinishedJobs
{
    /// <summary>
    /// The status of each job whose current attempt (as <paramref name="manifest"/> has it; the first without one) has
    /// ended, one whose status.json does not parse too (<see cref="StatusDocument.Unreadable"/>): its result is in the
    /// bucket, and running it again would overwrite it.
    /// </summary>
    public static async Task<IReadOnlyDictionary<int, StatusDocument>> ReadAsync(
        IResultStore results, string bucket, string batch, BatchManifest? manifest, CancellationToken cancellationToken)
    {
        var finished = new Dictionary<int, StatusDocument>();
        if (!await results.BucketExistsAsync(bucket, cancellationToken).ConfigureAwait(false))
        {
            return finished;
        }

        foreach (var stored in await results.ListAsync(bucket, ResultKeys.Jobs(batch), cancellationToken).ConfigureAwait(false))
        {
            if (ResultKeys.TryParseJobKey(batch, stored.Key, out var index, out var name)
                && ResultKeys.TryParseAttempt(name, out var attempt, out var file) && file == ResultKeys.Status
                && attempt == (manifest?.Rows.ElementAtOrDefault(index) is { } row ? RowAttempts.CurrentOf(row) : 1)
                && await results.GetAsync(bucket, stored.Key, cancellationToken).ConfigureAwait(false) is { } bytes)
            {
                finished[index] = StatusDocument.Read(bytes);
            }
        }

        return finished;
    }

    public static NodeOutcome Outcome(int index, StatusDocument status, string? instanceId) =>
        new(index, instanceId, status.Outcome, status.ExitCode,
            status.Unreadable
                ? "finished in an earlier run, but its status.json cannot be read: not run again, so that nothing overwrites its result"
                : "finished in an earlier run; its result is in the bucket",
            FinishedEarlier: true);
}
