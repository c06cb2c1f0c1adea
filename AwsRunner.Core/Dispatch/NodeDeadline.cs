namespace AwsRunner.Core.Dispatch;

/// <summary>
/// How long a node of a batch may live: one formula for its three switches, each after the one before with room to
/// spare. At launch + max-hours the runner stops the job and uploads its log, partial results and a status.json that
/// says deadline, within <see cref="LastUpload"/>; the boothook's power-off comes after that and
/// <see cref="ClockMargin"/>; the dispatcher terminates what is still up after both.
/// </summary>
internal static class NodeDeadline
{
    /// <summary>How long the runner's switch gives the last upload of what the job has (the runner's own limit, from the node contract).</summary>
    public static readonly TimeSpan LastUpload = TimeSpan.FromMinutes(5);

    /// <summary>
    /// Room for the clocks between the runner's switch and the boothook's power-off. The runner counts to the
    /// cloud's launch time + max-hours, the boothook to a time fixed at launch on the bucket's clock (this machine's
    /// until S3 has answered), and the node counts both on its own clock: they differ by what EC2's, S3's and the
    /// node's clocks differ, and by how long the launch took.
    /// </summary>
    public static readonly TimeSpan ClockMargin = TimeSpan.FromMinutes(5);

    /// <summary>
    /// How long past its switch a node may still be up before the dispatcher terminates it: the last upload, the
    /// boothook's margin and its power-off, and a dispatcher's clock that was behind S3's when it fixed the boothook's time.
    /// </summary>
    public static readonly TimeSpan UploadAllowance = TimeSpan.FromMinutes(30);

    /// <summary>When the runner's switch stops the job and uploads what it has: its launch and the batch's max-hours.</summary>
    public static DateTimeOffset SwitchAt(DateTimeOffset launch, double maxHours) => launch + TimeSpan.FromHours(maxHours);

    /// <summary>When the boothook powers the node off whatever runs: after the runner's switch, its last upload and the margin.</summary>
    public static DateTimeOffset PowerOffAt(DateTimeOffset launch, double maxHours) => SwitchAt(launch, maxHours) + LastUpload + ClockMargin;

    /// <summary>When a node still up is terminated by status, dispatch or down: its switch and the allowance.</summary>
    public static DateTimeOffset TerminateAt(DateTimeOffset launch, double maxHours) => SwitchAt(launch, maxHours) + UploadAllowance;
}
