using System.Text.Json;
using AwsRunner.Core.Cloud;

namespace AwsRunner.Core.Dispatch;

/// <summary>
/// The jobs of a batch whose result is already in the bucket. A re-run of a dispatch leaves them alone, so that an
/// interrupted or partly failed batch is completed, never run twice.
/// </summary>
internal static class FinishedJobs
{
    /// <summary>The exit code of each job whose current attempt (as <paramref name="manifest"/> has it; the first without one) has ended.</summary>
    public static async Task<IReadOnlyDictionary<int, int>> ReadAsync(
        IResultStore results, string bucket, string batch, BatchManifest? manifest, CancellationToken cancellationToken)
    {
        var finished = new Dictionary<int, int>();
        if (!await results.BucketExistsAsync(bucket, cancellationToken).ConfigureAwait(false))
        {
            return finished;
        }

        foreach (var stored in await results.ListAsync(bucket, ResultKeys.Jobs(batch), cancellationToken).ConfigureAwait(false))
        {
            if (ResultKeys.TryParseJobKey(batch, stored.Key, out var index, out var name)
                && ResultKeys.TryParseAttempt(name, out var attempt, out var file) && file == ResultKeys.Status
                && attempt == (manifest?.Rows.ElementAtOrDefault(index) is { } row ? RowAttempts.CurrentOf(row) : 1)
                && await results.GetAsync(bucket, stored.Key, cancellationToken).ConfigureAwait(false) is { } bytes
                && TryExitCode(bytes) is { } exitCode)
            {
                finished[index] = exitCode;
            }
        }

        return finished;
    }

    public static NodeOutcome Outcome(int index, int exitCode, string? instanceId) =>
        new(index, instanceId, exitCode == 0 ? JobState.Done : JobState.Failed, exitCode, "finished in an earlier run; its result is in the bucket", FinishedEarlier: true);

    private static int? TryExitCode(byte[] bytes)
    {
        try
        {
            return JsonSerializer.Deserialize<StatusDocument>(bytes, BatchManifest.Json)?.ExitCode;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
