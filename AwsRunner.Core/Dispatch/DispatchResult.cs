namespace AwsRunner.Core.Dispatch;

/// <summary>What a dispatch did.</summary>
public sealed class DispatchResult
{
    /// <summary>The validated plan.</summary>
    public required BatchPlan Plan { get; init; }

    /// <summary>Every job's node, in job order (empty when nothing was created or started).</summary>
    public required IReadOnlyList<NodeOutcome> Nodes { get; init; }

    /// <summary>
    /// Instances of the batch that outstayed it (past their deadline, or up long after their job's result), which the
    /// dispatch terminated before it adopted anything.
    /// </summary>
    public IReadOnlyList<OverstayingNode> Overstaying { get; init; } = [];

    /// <summary>What the cloud said when it launched fewer nodes than asked (the account's limits); null when it launched every one.</summary>
    public string? Shortfall { get; init; }

    /// <summary>The batch had been taken down, and this dispatch started it afresh: a new attempt for every row.</summary>
    public bool Restarted { get; init; }

    /// <summary>The nodes that could not be made ready or could not start their job.</summary>
    public IReadOnlyList<NodeOutcome> Failures =>
        Nodes.Where(n => n.State.IsFinal() && !n.State.IsStarted()).ToList();
}
