namespace AwsRunner.Core.Dispatch;

/// <summary>An instance of the batch that outstayed it, which awsrunner terminated.</summary>
/// <param name="InstanceId">The instance.</param>
/// <param name="JobIndex">The job it was launched for.</param>
/// <param name="Reason">Why it was terminated.</param>
public sealed record OverstayingNode(string InstanceId, int JobIndex, OverstayReason Reason);
