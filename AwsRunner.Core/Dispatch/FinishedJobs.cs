using System.Text.Json;
using AwsRunner.Core.Cloud;

namespace AwsRunner.Core.Dispatch;

/// <summary>
/// The jobs of a batch whose result is already in the bucket. A re-run of a dispatch leaves them alone, so that an
/// interrupted or partly failed batch is completed, never run twice.
/// </summary>
internal static class FinishedJobs
{
    /// <summary>The status of each job whose current attempt (as <paramref name="manifest"/> has it; the first without one) has ended.</summary>
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
                && await results.GetAsync(bucket, stored.Key, cancellationToken).ConfigureAwait(false) is { } bytes
                && TryParse(bytes) is { } status)
            {
                finished[index] = status;
            }
        }

        return finished;
    }

    public static NodeOutcome Outcome(int index, StatusDocument status, string? instanceId) =>
        new(index, instanceId, status.Outcome, status.ExitCode, "finished in an earlier run; its result is in the bucket", FinishedEarlier: true);

    private static StatusDocument? TryParse(byte[] bytes)
    {
        try
        {
            return JsonSerializer.Deserialize<StatusDocument>(bytes, BatchManifest.Json);
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
