namespace AwsRunner.Core.Queue;

/// <summary>What every node of one instance type is handed: its rows' shards and the LIST pages that show their claims.</summary>
/// <param name="InstanceType">The instance type.</param>
/// <param name="Rows">Its rows' indexes in shard order (a node's <c>AWSRUNNER_FIRST</c> is a position in this list).</param>
/// <param name="Shards">GET URLs of its shards, <c>shard-00000</c> first.</param>
/// <param name="Lists">LIST URLs that together show every object of its rows.</param>
internal sealed record QueueOfType(string InstanceType, IReadOnlyList<int> Rows, IReadOnlyList<Uri> Shards, IReadOnlyList<Uri> Lists);
