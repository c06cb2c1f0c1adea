namespace AwsRunner.Core.Dispatch;

/// <summary>Why awsrunner terminated an instance that its batch no longer needed.</summary>
public enum OverstayReason
{
    /// <summary>It was past its deadline (launch, the batch's max-hours and an allowance for the power-off): its dead man's switch did not end it.</summary>
    PastDeadline,

    /// <summary>Its job's result was in the bucket well before, and it still ran: its own power-off failed (no passwordless sudo, say).</summary>
    RunningAfterResult,
}
