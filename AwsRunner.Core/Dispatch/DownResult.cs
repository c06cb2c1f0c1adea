namespace AwsRunner.Core.Dispatch;

/// <summary>What down removed.</summary>
public sealed class DownResult
{
    /// <summary>The batch's NAME.</summary>
    public required string Name { get; init; }

    /// <summary>Instances terminated.</summary>
    public int Terminated { get; init; }

    /// <summary>Whether the batch's results were deleted from the bucket.</summary>
    public bool ResultsDeleted { get; init; }

    /// <summary>Where the results are (or were).</summary>
    public required string ResultsLocation { get; init; }
}
