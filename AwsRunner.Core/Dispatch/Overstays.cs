using AwsRunner.Core.Cloud;
using AwsRunner.Core.Ledger;

namespace AwsRunner.Core.Dispatch;

/// <summary>
/// Finds the instances of a batch that nothing needs any more and that should have gone by themselves: past their
/// deadline, or up well after every row of their instance type ended (a node powers itself off once none is left for
/// it). Times are the cloud's and the bucket's, never this machine's.
/// </summary>
internal static class Overstays
{
    /// <summary>
    /// How long after the last result of its instance type a node may still be up: it looks once more and powers off
    /// in seconds, so one still up after this failed to power off.
    /// </summary>
    public static readonly TimeSpan AfterResult = TimeSpan.FromMinutes(10);

    /// <param name="ledger">The batch.</param>
    /// <param name="instances">Every instance of the batch, as the cloud describes them.</param>
    /// <param name="rows">Where every row stands.</param>
    /// <param name="resultsAt">When each row's result came in, on the bucket's clock.</param>
    /// <param name="now">Now on the bucket's clock.</param>
    public static IReadOnlyList<OverstayingNode> Find(
        LedgerDocument ledger, IEnumerable<NodeInstance> instances, IReadOnlyList<JobStatus> rows, IReadOnlyDictionary<int, DateTimeOffset> resultsAt, DateTimeOffset now)
    {
        // A type is done with once every row of it has ended; its nodes then have nothing left to do.
        var doneAt = rows.GroupBy(r => r.InstanceType, StringComparer.Ordinal)
            .Where(g => g.All(r => r.State.IsFinal()))
            .ToDictionary(g => g.Key, g => g.Select(r => resultsAt.TryGetValue(r.Index, out var at) ? at : DateTimeOffset.MinValue).Max(), StringComparer.Ordinal);
        return instances
            .Where(n => n.State is not (InstanceState.Terminated or InstanceState.ShuttingDown))
            .Select(n => now > NodeDeadline.TerminateAt(n.LaunchTime, ledger.Settings.MaxHours)
                ? new OverstayingNode { InstanceId = n.InstanceId, JobIndex = n.JobIndex, Reason = OverstayReason.PastDeadline }
                : doneAt.TryGetValue(n.InstanceType, out var at) && now - Max(at, n.LaunchTime) > AfterResult
                ? new OverstayingNode { InstanceId = n.InstanceId, JobIndex = n.JobIndex, Reason = OverstayReason.RunningAfterResult }
                : null)
            .OfType<OverstayingNode>()
            .OrderBy(n => n.JobIndex)
            .ThenBy(n => n.InstanceId, StringComparer.Ordinal)
            .ToList();
    }

    private static DateTimeOffset Max(DateTimeOffset a, DateTimeOffset b) => a > b ? a : b;
}
