namespace AwsRunner.Core.Dispatch;

/// <summary>
/// How long a node of a batch may live, one formula for the node's own switch and for the dispatcher that backs it up.
/// </summary>
internal static class NodeDeadline
{
    /// <summary>
    /// How long past its switch a node may still be up before the dispatcher terminates it: the power-off itself, and a
    /// dispatcher's clock that was behind S3's when it fixed the switch's time at launch.
    /// </summary>
    public static readonly TimeSpan UploadAllowance = TimeSpan.FromMinutes(30);

    /// <summary>When the node's dead man's switch powers it off: its launch and the batch's max-hours.</summary>
    public static DateTimeOffset SwitchAt(DateTimeOffset launch, double maxHours) => launch + TimeSpan.FromHours(maxHours);

    /// <summary>When a node still up is terminated by status, dispatch or down: its switch and the allowance.</summary>
    public static DateTimeOffset TerminateAt(DateTimeOffset launch, double maxHours) => SwitchAt(launch, maxHours) + UploadAllowance;
}
