using AwsRunner.Core.Ledger;
using AwsRunner.Core.Queue;

namespace AwsRunner.Core.Dispatch;

/// <summary>
/// The run's published queue, for the nodes this process hands work to: published by the dispatch that creates the
/// run, else signed anew once from the ledger (for replacements, or a dispatch without create).
/// </summary>
internal sealed class QueueSource(QueueWriter writer, BatchLedger ledger, TimeSpan validity)
{
    private readonly Lock gate = new();
    private Task<PublishedQueue>? queue;

    /// <summary>Uploads the queue of the ledger's rows as they are published now.</summary>
    public async Task<PublishedQueue> PublishAsync(CancellationToken cancellationToken)
    {
        var published = await writer.PublishAsync(ledger.Bucket, ledger.Name, QueueRow.FromLedger(ledger.Document), validity, cancellationToken).ConfigureAwait(false);
        lock (gate)
        {
            queue = Task.FromResult(published);
        }

        return published;
    }

    public Task<PublishedQueue> GetAsync(CancellationToken cancellationToken)
    {
        lock (gate)
        {
            return queue ??= writer.OpenAsync(ledger.Bucket, ledger.Name, QueueRow.FromLedger(ledger.Document), validity, cancellationToken);
        }
    }
}
