namespace AwsRunner.Core.Dispatch;

/// <summary>Where every job of a batch stands.</summary>
public sealed class BatchStatus
{
    /// <summary>The batch's NAME.</summary>
    public required string Name { get; init; }

    /// <summary>Its bucket.</summary>
    public required string Bucket { get; init; }

    /// <summary>Its cloud.</summary>
    public required string Cloud { get; init; }

    /// <summary>When it was created.</summary>
    public required DateTimeOffset CreatedAt { get; init; }

    /// <summary>When this status was read, on the bucket's clock (the one heartbeats are stamped with).</summary>
    public required DateTimeOffset ReadAt { get; init; }

    /// <summary>Every job, in order.</summary>
    public required IReadOnlyList<JobStatus> Jobs { get; init; }

    /// <summary>
    /// Instances of the batch that outstayed it (past their deadline, or up long after their job's result), found by
    /// this read; <see cref="Batch.GetStatusAsync"/> and <see cref="Batch.WaitAsync"/> terminate them.
    /// </summary>
    public IReadOnlyList<OverstayingNode> Overstaying { get; init; } = [];

    /// <summary>Every node the batch launched, in launch order.</summary>
    public IReadOnlyList<NodeStatus> Nodes { get; init; } = [];

    /// <summary>When the batch was taken down (<c>awsrunner down</c>); null while it is not.</summary>
    public DateTimeOffset? TakenDownAt { get; init; }

    /// <summary>Whether no job will change state any more on its own.</summary>
    public bool Finished => Jobs.All(j => j.State.IsFinal());

    /// <summary>How many jobs are in each state that occurs.</summary>
    public IReadOnlyDictionary<JobState, int> Counts =>
        Jobs.GroupBy(j => j.State).OrderBy(g => g.Key).ToDictionary(g => g.Key, g => g.Count());
}
