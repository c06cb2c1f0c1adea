namespace AwsRunner.Core.Dispatch;

/// <summary>
/// A job's <c>status.json</c>, as the runner writes it once the command has ended: <c>state</c> says how the attempt
/// ended (done, failed, preempted, or deadline when the dead man's switch stopped it, its exit code then null; older
/// runners wrote it only for deadline), <c>results_error</c> when its archive is not whole.
/// </summary>
internal sealed record StatusDocument(
    int Index, string? Job, int? ExitCode, DateTimeOffset? Started, DateTimeOffset? Finished, string? Host, string? State = null, string? ResultsError = null)
{
    /// <summary>Done only for exit code 0 with every result packed.</summary>
    public JobState Outcome =>
        State is { } state ? JobStates.FromRunner(state)
        : ExitCode == 0 && ResultsError is null ? JobState.Done
        : JobState.Failed;
}
