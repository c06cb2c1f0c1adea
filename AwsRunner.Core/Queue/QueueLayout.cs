namespace AwsRunner.Core.Queue;

/// <summary>
/// The names and sizes of the queue both sides share (docs: the queue's contract): what a shard holds, the files a node
/// is handed, how many part URLs it gets. The bucket's keys are <see cref="Cloud.ResultKeys"/>'.
/// </summary>
internal static class QueueLayout
{
    /// <summary>Rows in one shard, the last of a type's shards holding the rest.</summary>
    public const int ShardRows = 1000;

    /// <summary>In a row's shard folder: the row's command, the job file's cell as it is.</summary>
    public const string CommandFile = "command";

    /// <summary>In a row's shard folder: the row's variables, in the <c>job.vars</c> format.</summary>
    public const string VariablesFile = "vars";

    /// <summary>In a row's shard folder, after the attempt's number (<c>3.urls</c>): that attempt's URLs.</summary>
    public const string AttemptUrlsSuffix = ".urls";

    /// <summary>On the node, in the runner's folder: the node's settings, sourced by the runner.</summary>
    public const string WorkEnvFile = "work.env";

    /// <summary>On the node, in the runner's folder: the URLs of its type's shards, of the LIST pages and of its parts.</summary>
    public const string QueueEnvFile = "queue.env";
}
