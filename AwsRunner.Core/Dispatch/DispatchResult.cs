namespace AwsRunner.Core.Dispatch;

/// <summary>What a dispatch did.</summary>
/// <param name="Plan">The validated plan.</param>
/// <param name="Nodes">Every job's node, in job order (empty when nothing was created or started).</param>
public sealed record DispatchResult(BatchPlan Plan, IReadOnlyList<NodeOutcome> Nodes)
{
    /// <summary>
    /// Instances of the batch that outstayed it (past their deadline, or up long after their job's result), which the
    /// dispatch terminated before it adopted anything.
    /// </summary>
    public IReadOnlyList<OverstayingNode> Overstaying { get; init; } = [];

    /// <summary>The batch had been taken down, and this dispatch started it afresh: a new attempt for every row.</summary>
    public bool Restarted { get; init; }

    /// <summary>The nodes that could not be made ready or could not start their job.</summary>
    public IReadOnlyList<NodeOutcome> Failures =>
        Nodes.Where(n => n.State.IsFinal() && !n.State.IsStarted()).ToList();
}
