namespace AwsRunner.Core.Dispatch;

/// <summary>How one job's node came out of create or dispatch.</summary>
/// <param name="Index">The job.</param>
/// <param name="InstanceId">Its instance, if it has one.</param>
/// <param name="State">Where it stands now.</param>
/// <param name="ExitCode">INSTALL.sh's exit code when it failed.</param>
/// <param name="Detail">What went wrong (the last lines of the log, or the error), when something did.</param>
/// <param name="FinishedEarlier">The job's result was already in the bucket, so this run left it alone.</param>
/// <param name="SpotRefusal">Why its node runs on demand though spot was asked for (see <see cref="Cloud.NodeInstance.SpotRefusal"/>); null otherwise.</param>
public sealed record NodeOutcome(
    int Index, string? InstanceId, JobState State, int? ExitCode = null, string? Detail = null, bool FinishedEarlier = false, string? SpotRefusal = null);
