namespace AwsRunner.Core.Dispatch;

/// <summary>An instance of the batch that outstayed it, which awsrunner terminated.</summary>
public sealed class OverstayingNode
{
    /// <summary>The instance.</summary>
    public required string InstanceId { get; init; }

    /// <summary>The job it was launched for.</summary>
    public required int JobIndex { get; init; }

    /// <summary>Why it was terminated.</summary>
    public required OverstayReason Reason { get; init; }
}
