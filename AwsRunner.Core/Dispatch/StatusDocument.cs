namespace AwsRunner.Core.Dispatch;

/// <summary>
/// A job's <c>status.json</c>, as the runner writes it once the command has ended. <paramref name="State"/> is there
/// when the job did not simply end (<c>preempted</c>); without it the exit code says done or failed.
/// </summary>
internal sealed record StatusDocument(int Index, string? Job, int ExitCode, DateTimeOffset? Started, DateTimeOffset? Finished, string? Host, string? State = null)
{
    /// <summary>How the attempt ended.</summary>
    public JobState Outcome => State == JobState.Preempted.ToName() ? JobState.Preempted
        : ExitCode == 0 ? JobState.Done
        : JobState.Failed;
}
