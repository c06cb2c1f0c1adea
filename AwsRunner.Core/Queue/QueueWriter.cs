using AwsRunner.Core.Cloud;
using Microsoft.Extensions.Logging;

namespace AwsRunner.Core.Queue;

/// <summary>
/// Publishes a batch's rows as its queue: per instance type, shards of <see cref="QueueLayout.ShardRows"/> rows with
/// every attempt's presigned URLs, uploaded to <c>NAME/queue/TYPE/</c>; and for each type the shards' GET URLs and the
/// LIST pages its nodes read. Secrets are not in it: they go to each node over SSH.
/// </summary>
internal sealed partial class QueueWriter(IResultStore store, TimeProvider time, ILogger<QueueWriter> logger)
{
    // Signing and gzip keep the cores busy while other shards upload.
    private static readonly int ShardsAtOnce = 2 * Environment.ProcessorCount;

    /// <summary>Writes and uploads the shards of <paramref name="rows"/>, every row of the batch.</summary>
    /// <param name="bucket">The batch's bucket.</param>
    /// <param name="batch">The batch's NAME.</param>
    /// <param name="rows">Every row of the batch, with the attempts each may use in this run.</param>
    /// <param name="validity">How long every URL must work: the nodes' lifetime and a margin.</param>
    /// <param name="cancellationToken">Cancels the publishing.</param>
    public async Task<PublishedQueue> PublishAsync(string bucket, string batch, IReadOnlyList<QueueRow> rows, TimeSpan validity, CancellationToken cancellationToken)
    {
        var started = time.GetTimestamp();
        var signer = await store.CreateUrlSignerAsync(bucket, validity, cancellationToken).ConfigureAwait(false);
        var writtenAt = time.GetUtcNow();
        var shards = Shards(rows);
        long bytes = 0;
        await Parallel.ForEachAsync(
            shards,
            new ParallelOptions { MaxDegreeOfParallelism = ShardsAtOnce, CancellationToken = cancellationToken },
            async (shard, token) =>
            {
                var content = ShardArchive.Write(batch, shard.Rows, signer, writtenAt);
                await store.PutAsync(bucket, ResultKeys.QueueShard(batch, shard.Type, shard.Number), content, token).ConfigureAwait(false);
                Interlocked.Add(ref bytes, content.Length);
            }).ConfigureAwait(false);

        var queue = Describe(signer, batch, rows, shards, bytes);
        var seconds = time.GetElapsedTime(started).TotalSeconds;
        LogPublished(logger, batch, rows.Count, shards.Count, bytes, seconds);
        return queue;
    }

    /// <summary>
    /// The queue <see cref="PublishAsync"/> put in the bucket for these rows, its shards' and pages' URLs signed anew
    /// and nothing uploaded: for a node launched later (a replacement), by this process or another. The URLs within
    /// the shards stay those of the publishing.
    /// </summary>
    /// <param name="bucket">The batch's bucket.</param>
    /// <param name="batch">The batch's NAME.</param>
    /// <param name="rows">Every row of the batch, as they were published.</param>
    /// <param name="validity">How long the new URLs must work.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    public async Task<PublishedQueue> OpenAsync(string bucket, string batch, IReadOnlyList<QueueRow> rows, TimeSpan validity, CancellationToken cancellationToken)
    {
        var signer = await store.CreateUrlSignerAsync(bucket, validity, cancellationToken).ConfigureAwait(false);
        return Describe(signer, batch, rows, Shards(rows), shardBytes: 0);
    }

    /// <summary>Each type's rows in row order, in shards of <see cref="QueueLayout.ShardRows"/>.</summary>
    private static List<Shard> Shards(IReadOnlyList<QueueRow> rows) =>
        rows.GroupBy(r => r.InstanceType, StringComparer.Ordinal)
            .SelectMany(g => g.OrderBy(r => r.Index).Chunk(QueueLayout.ShardRows).Select((chunk, number) => new Shard(g.Key, number, chunk)))
            .ToList();

    private static PublishedQueue Describe(IUrlSigner signer, string batch, IReadOnlyList<QueueRow> rows, List<Shard> shards, long shardBytes)
    {
        var types = shards
            .GroupBy(s => s.Type, StringComparer.Ordinal)
            .ToDictionary(
                g => g.Key,
                g => new QueueOfType(
                    g.Key,
                    g.SelectMany(s => s.Rows).Select(r => r.Index).ToList(),
                    g.Select(s => signer.ReadUrl(ResultKeys.QueueShard(batch, s.Type, s.Number))).ToList(),
                    Lists(signer, batch, rows, g.Key)),
                StringComparer.Ordinal);
        return new PublishedQueue(batch, signer, types, shards.Count, shardBytes);
    }

    private static List<Uri> Lists(IUrlSigner signer, string batch, IReadOnlyList<QueueRow> rows, string instanceType) =>
        signer.ListPageKeys is { } pageKeys
            ? ListPages.For(batch, rows, instanceType, pageKeys).Select(p => signer.ListUrl(ResultKeys.QueueRows(batch), p.StartAfter)).ToList()
            : [signer.ListUrl(ResultKeys.QueueRows(batch), null)];

    [LoggerMessage(Level = LogLevel.Information, Message = "Published the queue of {Batch}: {Rows} rows in {Shards} shards, {Bytes} bytes, in {Seconds:0.0} s")]
    private static partial void LogPublished(ILogger logger, string batch, int rows, int shards, long bytes, double seconds);

    private sealed record Shard(string Type, int Number, QueueRow[] Rows);
}
