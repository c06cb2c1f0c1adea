using AwsRunner.Core.Cloud;
using AwsRunner.Core.Ledger;

namespace AwsRunner.Core.Dispatch;

/// <summary>
/// Finds the instances of a batch that nothing needs any more and that should have gone by themselves: past their
/// deadline, or up well after the result of every attempt they ran was in. Times are the cloud's and the bucket's,
/// never this machine's.
/// </summary>
internal static class Overstays
{
    /// <summary>
    /// How long after its last attempt's status.json (the last object a node uploads) a node may still be up: its
    /// power-off takes seconds, so one still up after this failed to power off.
    /// </summary>
    public static readonly TimeSpan AfterResult = TimeSpan.FromMinutes(10);

    /// <param name="ledger">The batch.</param>
    /// <param name="instances">Every instance of the batch, as the cloud describes them.</param>
    /// <param name="resultsAt">When each attempt's status.json was written, on the bucket's clock.</param>
    /// <param name="now">Now on the bucket's clock.</param>
    public static IReadOnlyList<OverstayingNode> Find(
        LedgerDocument ledger, IEnumerable<NodeInstance> instances, IReadOnlyDictionary<(int Row, int Attempt), DateTimeOffset> resultsAt, DateTimeOffset now)
    {
        // The attempts each node ran: a node is done with only when each of them has its result in.
        var ran = ledger.Rows
            .SelectMany(r => r.Attempts.Where(a => a.Node is not null).Select(a => (Node: a.Node!, Key: (r.Index, a.Number))))
            .ToLookup(x => x.Node, x => x.Key, StringComparer.Ordinal);
        return instances
            .Where(n => n.State is not (InstanceState.Terminated or InstanceState.ShuttingDown))
            .Select(n => now > NodeDeadline.TerminateAt(n.LaunchTime, ledger.Settings.MaxHours)
                ? new OverstayingNode(n.InstanceId, n.JobIndex, OverstayReason.PastDeadline)
                : LastResult(ran[n.InstanceId].ToList(), resultsAt) is { } at && now - at > AfterResult
                ? new OverstayingNode(n.InstanceId, n.JobIndex, OverstayReason.RunningAfterResult)
                : null)
            .OfType<OverstayingNode>()
            .OrderBy(n => n.JobIndex)
            .ThenBy(n => n.InstanceId, StringComparer.Ordinal)
            .ToList();
    }

    // The last of the node's results, when every attempt it ran has one; null while one is still out (or it ran none).
    private static DateTimeOffset? LastResult(List<(int Row, int Attempt)> attempts, IReadOnlyDictionary<(int Row, int Attempt), DateTimeOffset> resultsAt) =>
        attempts.Count > 0 && attempts.All(resultsAt.ContainsKey) ? attempts.Max(a => resultsAt[a]) : null;
}
