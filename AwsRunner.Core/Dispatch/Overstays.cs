using AwsRunner.Core.Cloud;

namespace AwsRunner.Core.Dispatch;

/// <summary>
/// Finds the instances of a batch that nothing needs any more and that should have gone by themselves: past their
/// deadline, or up well after their job's result was in. Times are the cloud's and the bucket's, never this machine's.
/// </summary>
internal static class Overstays
{
    /// <summary>
    /// How long after its job's status.json (the last object a node uploads) a node may still be up: its power-off
    /// takes seconds, so one still up after this failed to power off.
    /// </summary>
    public static readonly TimeSpan AfterResult = TimeSpan.FromMinutes(10);

    /// <param name="manifest">The batch.</param>
    /// <param name="instances">Every instance of the batch, as the cloud describes them.</param>
    /// <param name="resultsAt">When each finished job's status.json was written, on the bucket's clock.</param>
    /// <param name="now">Now on the bucket's clock.</param>
    public static IReadOnlyList<OverstayingNode> Find(
        BatchManifest manifest, IEnumerable<NodeInstance> instances, IReadOnlyDictionary<int, DateTimeOffset> resultsAt, DateTimeOffset now) =>
        instances
            .Where(n => n.State is not (InstanceState.Terminated or InstanceState.ShuttingDown))
            .Select(n => now > NodeDeadline.TerminateAt(n.LaunchTime, manifest.MaxHours)
                ? new OverstayingNode(n.InstanceId, n.JobIndex, OverstayReason.PastDeadline)
                : resultsAt.TryGetValue(n.JobIndex, out var at) && now - at > AfterResult
                ? new OverstayingNode(n.InstanceId, n.JobIndex, OverstayReason.RunningAfterResult)
                : null)
            .OfType<OverstayingNode>()
            .OrderBy(n => n.JobIndex)
            .ThenBy(n => n.InstanceId, StringComparer.Ordinal)
            .ToList();
}
