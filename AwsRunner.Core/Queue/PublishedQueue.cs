using System.Globalization;
using AwsRunner.Core.Cloud;
using AwsRunner.Core.Dispatch;
using AwsRunner.Core.Node;

namespace AwsRunner.Core.Queue;

/// <summary>
/// A queue in its bucket (<see cref="QueueWriter"/>): what each instance type's nodes are handed, and each node's own
/// files. It keeps the signer the shards were signed with, so that every node's part URLs work as long as theirs.
/// </summary>
internal sealed class PublishedQueue(string batch, IUrlSigner signer, IReadOnlyDictionary<string, QueueOfType> types, int shards, long shardBytes)
{
    // The states worth the next attempt at once, of those a node's runner writes (a .done's first word): from the one table.
    private static readonly string RetryStates = string.Join(' ', JobStates.RunnerStates.Where(s => s.IsRetryable(null, [])).Select(s => s.ToName()));

    public string Batch => batch;

    /// <summary>Each instance type's shards and LIST pages.</summary>
    public IReadOnlyDictionary<string, QueueOfType> Types => types;

    /// <summary>How many shards were uploaded.</summary>
    public int Shards => shards;

    /// <summary>Their bytes, all together.</summary>
    public long ShardBytes => shardBytes;

    /// <summary>A node's <c>work.env</c> and <c>queue.env</c>, with <see cref="Defaults.ResultParts"/> part URLs of its own.</summary>
    public NodeQueueFiles ForNode(QueueNode node, QueueNodeSettings settings)
    {
        var queue = types.TryGetValue(node.InstanceType, out var found) ? found
            : throw new ArgumentException($"the queue of {batch} has no row of type {node.InstanceType}", nameof(node));
        var work = new NodeEnvFile()
            .Export("AWSRUNNER_JOB", batch)
            .Set("AWSRUNNER_NODE", node.Id)
            .Set("AWSRUNNER_TYPE", node.InstanceType)
            .Set("AWSRUNNER_SLOTS", Number(settings.Slots))
            .Set("AWSRUNNER_FIRST", Number(node.First(queue.Rows.Count)))
            .Set("AWSRUNNER_HEARTBEAT_SECONDS", Number(settings.HeartbeatSeconds))
            // A lease is given up as a dispatcher takes a node for hung: on the same beats.
            .Set("AWSRUNNER_LEASE_SECONDS", Seconds(Heartbeats.HungAfter(settings.HeartbeatSeconds)))
            .Set("AWSRUNNER_IDLE_SECONDS", ((long)Math.Ceiling(settings.Idle.TotalSeconds)).ToString(CultureInfo.InvariantCulture))
            .Set("AWSRUNNER_RETRY_ON_EXIT", string.Join(' ', settings.RetryOnExit.Select(Number)))
            .Set("AWSRUNNER_RETRY_STATES", RetryStates)
            // Only a spot instance watches for interruption notices: the local cloud has no metadata to ask.
            .Set("AWSRUNNER_SPOT", node.Spot ? "1" : "0")
            .Set("AWSRUNNER_RESULTS", string.Join('\n', settings.ResultPaths))
            .Set("AWSRUNNER_TIMEOUT_SECONDS", settings.JobTimeout is { } timeout ? Seconds(timeout) : "0")
            .Set("AWSRUNNER_UPLOAD_GRACE_SECONDS", Seconds(settings.UploadGrace))
            .Set("AWSRUNNER_RESULTS_PART_BYTES", settings.ResultPartBytes.ToString(CultureInfo.InvariantCulture));

        var urls = new NodeEnvFile();
        Numbered(urls, "AWSRUNNER_SHARDS", "AWSRUNNER_SHARD_", queue.Shards);
        Numbered(urls, "AWSRUNNER_LISTS", "AWSRUNNER_LIST_", queue.Lists);
        Numbered(urls, "AWSRUNNER_PARTS", "AWSRUNNER_URL_PART_",
            Enumerable.Range(1, Defaults.ResultParts).Select(part => signer.WriteUrl(ResultKeys.NodePart(batch, node.Id, part))).ToList());
        return new NodeQueueFiles(work.ToString(), urls.ToString());
    }

    private static void Numbered(NodeEnvFile env, string count, string prefix, IReadOnlyList<Uri> urls)
    {
        env.Set(count, Number(urls.Count));
        for (var i = 0; i < urls.Count; i++)
        {
            env.Set(prefix + Number(i + 1), urls[i].AbsoluteUri);
        }
    }

    // Whole seconds, at least one: the runner's timers count in seconds.
    private static string Seconds(TimeSpan time) => Math.Max(1, (long)Math.Ceiling(time.TotalSeconds)).ToString(CultureInfo.InvariantCulture);

    private static string Number(int value) => value.ToString(CultureInfo.InvariantCulture);
}
