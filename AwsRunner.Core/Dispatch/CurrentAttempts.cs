using System.Text.Json;
using AwsRunner.Core.Cloud;
using AwsRunner.Core.Ledger;

namespace AwsRunner.Core.Dispatch;

/// <summary>
/// The attempt each row is on, as the queue's claims say: the highest claimed of the numbers its run may use (its first
/// while none is claimed), and, for one row, the node that runs or ran it.
/// </summary>
internal static class CurrentAttempts
{
    /// <summary>Every row's current attempt, from a listing of the queue's claims.</summary>
    public static Dictionary<int, int> Of(LedgerDocument ledger, IEnumerable<StoredObject> queueListing)
    {
        var claimed = queueListing
            .Select(o => ResultKeys.TryParseQueueKey(ledger.Name, o.Key, out var index, out var attempt, out var kind) && kind == "claim" ? (index, attempt) : (-1, 0))
            .Where(x => x.Item1 >= 0)
            .ToLookup(x => x.Item1, x => x.Item2);
        return ledger.Rows.ToDictionary(r => r.Index, r => claimed[r.Index].Where(a => a <= Math.Max(r.LastAttempt, r.FirstAttempt)).DefaultIfEmpty(r.FirstAttempt).Max());
    }

    /// <summary>One row's current attempt and the node it ran on (its heartbeat's, else its status.json's), if one took it.</summary>
    public static async Task<(int Attempt, string? Node)> OfRowAsync(CloudConnection connection, BatchLedger ledger, int index, CancellationToken cancellationToken)
    {
        var listing = await connection.Results.ListAsync(ledger.Bucket, ResultKeys.QueueRow(ledger.Name, index), cancellationToken).ConfigureAwait(false);
        var attempt = Of(ledger.Document, listing)[index];
        foreach (var key in new[] { ResultKeys.QueueHeartbeat(ledger.Name, index, attempt), ResultKeys.Job(ledger.Name, index, attempt) + ResultKeys.Status })
        {
            if (await connection.Results.GetAsync(ledger.Bucket, key, cancellationToken).ConfigureAwait(false) is { } bytes && NodeOf(bytes) is { } node)
            {
                return (attempt, node);
            }
        }

        return (attempt, null);
    }

    private static string? NodeOf(byte[] bytes)
    {
        try
        {
            using var document = JsonDocument.Parse(bytes);
            return document.RootElement.TryGetProperty("node", out var node) && node.ValueKind == JsonValueKind.String ? node.GetString() : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
