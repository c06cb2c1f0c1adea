namespace AwsRunner.Core.Dispatch;

/// <summary>Where every job of a batch stands.</summary>
/// <param name="Name">The batch's NAME.</param>
/// <param name="Bucket">Its bucket.</param>
/// <param name="Cloud">Its cloud.</param>
/// <param name="CreatedAt">When it was created.</param>
/// <param name="ReadAt">When this status was read, on the bucket's clock (the one heartbeats are stamped with).</param>
/// <param name="Jobs">Every job, in order.</param>
public sealed record BatchStatus(string Name, string Bucket, string Cloud, DateTimeOffset CreatedAt, DateTimeOffset ReadAt, IReadOnlyList<JobStatus> Jobs)
{
    /// <summary>
    /// Instances of the batch that outstayed it (past their deadline, or up long after their job's result), found by
    /// this read; <see cref="Batch.GetStatusAsync"/> and <see cref="Batch.WaitAsync"/> terminate them.
    /// </summary>
    public IReadOnlyList<OverstayingNode> Overstaying { get; init; } = [];

    /// <summary>When the batch was taken down (<c>awsrunner down</c>); null while it is not.</summary>
    public DateTimeOffset? TakenDownAt { get; init; }

    /// <summary>Whether no job will change state any more on its own.</summary>
    public bool Finished => Jobs.All(j => j.State.IsFinal());

    /// <summary>How many jobs are in each state that occurs.</summary>
    public IReadOnlyDictionary<JobState, int> Counts =>
        Jobs.GroupBy(j => j.State).OrderBy(g => g.Key).ToDictionary(g => g.Key, g => g.Count());
}
