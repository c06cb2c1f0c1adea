using AwsRunner.Core.Node;

namespace AwsRunner.Core.Queue;

/// <summary>A node's two queue files, for the runner's folder (with <c>secrets</c>, over SSH, in <see cref="NodeFilesTar"/>).</summary>
/// <param name="WorkEnv">Its <c>work.env</c>: who it is and how it works.</param>
/// <param name="QueueEnv">Its <c>queue.env</c>: its type's shards, the LIST pages and its part URLs.</param>
internal sealed record NodeQueueFiles(string WorkEnv, string QueueEnv)
{
    /// <summary>Both, by their file names on the node.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Files =>
        [KeyValuePair.Create(QueueLayout.WorkEnvFile, WorkEnv), KeyValuePair.Create(QueueLayout.QueueEnvFile, QueueEnv)];
}
