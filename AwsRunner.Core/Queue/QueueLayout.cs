namespace AwsRunner.Core.Queue;

/// <summary>
/// The names and sizes of the queue both sides share (docs: the queue's contract): what a shard holds, the files a node
/// is handed, how many part URLs it gets. The bucket's keys are <see cref="Cloud.ResultKeys"/>'.
/// </summary>
internal static class QueueLayout
{
    /// <summary>Rows in one shard, the last of a type's shards holding the rest.</summary>
    public const int ShardRows = 1000;

    /// <summary>In a shard, beside its rows' files: a line a row, <c>0007 4 6</c>, its file and its lowest and highest attempt.</summary>
    public const string IndexFile = "index";

    /// <summary>On the node, in the runner's folder: the node's settings, sourced by the runner.</summary>
    public const string WorkEnvFile = "work.env";

    /// <summary>On the node, in the runner's folder: the URLs of its type's shards, of the LIST pages and of its parts.</summary>
    public const string QueueEnvFile = "queue.env";
}
