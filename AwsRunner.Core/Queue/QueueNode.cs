namespace AwsRunner.Core.Queue;

/// <summary>A node the queue is handed to: which instance it is and where, among its type's nodes, it starts its walk.</summary>
/// <param name="Id">The cloud's instance id: the claims' content and its part keys name it.</param>
/// <param name="InstanceType">Its type: it runs that type's rows.</param>
/// <param name="Spot">Whether it is a spot instance, which watches for interruption notices.</param>
/// <param name="Ordinal">Its place among the nodes of its type, from 0 (a replacement numbered past <paramref name="Count"/> wraps around).</param>
/// <param name="Count">How many nodes of its type there are (or will be): they start spread out over the type's rows.</param>
internal sealed record QueueNode(string Id, string InstanceType, bool Spot, int Ordinal, int Count)
{
    /// <summary>The position, within <paramref name="rows"/> rows in shard order, where this node starts its walk.</summary>
    public int First(int rows)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(Ordinal);
        ArgumentOutOfRangeException.ThrowIfLessThan(Count, 1);
        return rows == 0 ? 0 : (int)((long)(Ordinal % Count) * rows / Count);
    }
}
