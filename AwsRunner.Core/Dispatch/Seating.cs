using AwsRunner.Core.Cloud;
using AwsRunner.Core.Ledger;

namespace AwsRunner.Core.Dispatch;

/// <summary>
/// Which nodes a batch has, one a seat: the seats a dispatch asks for, and which of them a dispatch or a wait fills
/// now. A type's nodes are only worth having while rows of that type are left.
/// </summary>
internal static class Seating
{
    /// <summary>
    /// The seats a dispatch asks for: for each instance type as many as its rows, or its cap
    /// (<see cref="DispatchOptions.MaxInstances"/>, else the cloud's <see cref="ICloud.NodesPerType"/>), spread over
    /// the type's rows so that its nodes start apart.
    /// </summary>
    public static IReadOnlyList<(int Row, string InstanceType)> Asked(LedgerDocument document, DispatchOptions options, int? nodesPerType) =>
        document.Rows.GroupBy(r => r.InstanceType, StringComparer.Ordinal).SelectMany(g =>
        {
            var rows = g.OrderBy(r => r.Index).ToList();
            var count = Math.Min(rows.Count, options.MaxInstancesOf(g.Key) ?? nodesPerType ?? rows.Count);
            return Enumerable.Range(0, count).Select(k => (rows[(int)((long)k * rows.Count / count)].Index, g.Key));
        }).ToList();

    /// <summary>
    /// The seats to fill now: for each type with rows left, its seats whose node is up (adopted), and as many of its
    /// empty seats as it takes to have a node for each row left, up to every seat: the seat of a row left first. A seat
    /// whose node failed its install or never answered is filled again only when <paramref name="asked"/> (a person's
    /// dispatch), never by a wait; nor is one the cloud gave no node (the account's limits), but when asked.
    /// </summary>
    /// <returns>The seats, and the nodes that left theirs (to record in the ledger before they are filled again).</returns>
    public static (IReadOnlySet<int> Seats, IReadOnlyList<(int Seat, string Node, bool TakenBack)> Gone) ToFill(
        LedgerDocument document, BatchStatus status, bool asked, DateTimeOffset now, TimeSpan staleClaim)
    {
        var nodes = document.NodesById();
        var instances = status.Nodes.ToDictionary(n => n.InstanceId, StringComparer.Ordinal);
        var left = status.Jobs.Where(j => !j.State.IsFinal()).Select(j => j.Index).ToHashSet();
        var seats = new HashSet<int>();
        var gone = new List<(int, string, bool)>();
        foreach (var type in document.Seats.GroupBy(s => s.InstanceType, StringComparer.Ordinal))
        {
            var rowsLeft = document.Rows.Count(r => r.InstanceType == type.Key && left.Contains(r.Index));
            if (rowsLeft == 0)
            {
                continue;
            }

            var up = type.Where(s => s.Node is { } id && instances.GetValueOrDefault(id)?.Instance is InstanceState.Pending or InstanceState.Running).ToList();
            seats.UnionWith(up.Select(s => s.Row));
            var empty = type.Except(up)
                .Where(s => asked || Refillable(s, nodes, now, staleClaim))
                .OrderBy(s => left.Contains(s.Row) ? 0 : 1)
                .ThenBy(s => s.Row)
                .Take(Math.Max(0, Math.Min(type.Count(), rowsLeft) - up.Count))
                .ToList();
            seats.UnionWith(empty.Select(s => s.Row));
            gone.AddRange(empty.Where(s => s.Node is not null).Select(s => (s.Row, s.Node!, nodes.GetValueOrDefault(s.Node!)?.Spot == true)));
        }

        return (seats, gone);
    }

    // A wait fills a seat again when its node was lost (not one that failed to install or answer), or when its launch
    // was claimed by a dispatcher that stopped before it launched anything.
    private static bool Refillable(LedgerSeat seat, IReadOnlyDictionary<string, LedgerNode> nodes, DateTimeOffset now, TimeSpan staleClaim) =>
        seat.Node is { } id
            ? !(JobStates.TryParse(nodes.GetValueOrDefault(id)?.Install, out var install) && install.IsFinal())
            : seat.Claim is { } claim && (now - claim.At > staleClaim || Dispatcher.IsGone(claim));
}
