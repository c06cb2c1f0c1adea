using AwsRunner.Core.Cloud;

namespace AwsRunner.Core.Dispatch;

/// <summary>Where one job stands, merged from what the cloud and the bucket say.</summary>
/// <param name="Index">The job.</param>
/// <param name="InstanceType">Its instance type.</param>
/// <param name="InstanceId">Its instance, if it has one.</param>
/// <param name="Instance">Its instance's state, if the cloud still knows it.</param>
/// <param name="State">Where the job stands.</param>
/// <param name="ExitCode">The command's exit code, once it has finished.</param>
/// <param name="Started">When the command started.</param>
/// <param name="Finished">When the command ended.</param>
/// <param name="LastHeartbeat">When the node last reported.</param>
/// <param name="Progress">The last progress line the job wrote to <c>$AWSRUNNER_PROGRESS</c>.</param>
/// <param name="Elapsed">How long the command ran, or has run so far.</param>
/// <param name="SpotRefusal">Why its instance runs on demand though spot was asked for (see <see cref="NodeInstance.SpotRefusal"/>); null otherwise.</param>
/// <param name="Attempt">Which attempt of the row this is: 1 for its first run, 2 for its first retry.</param>
/// <param name="EarlierAttempts">How the row's earlier attempts ended, first first; empty when it was never retried.</param>
public sealed record JobStatus(
    int Index,
    string InstanceType,
    string? InstanceId,
    InstanceState? Instance,
    JobState State,
    int? ExitCode = null,
    DateTimeOffset? Started = null,
    DateTimeOffset? Finished = null,
    DateTimeOffset? LastHeartbeat = null,
    string? Progress = null,
    TimeSpan? Elapsed = null,
    string? SpotRefusal = null,
    int Attempt = 1,
    IReadOnlyList<JobAttempt>? EarlierAttempts = null)
{
    /// <summary>How the row's earlier attempts ended, first first; empty when it was never retried.</summary>
    public IReadOnlyList<JobAttempt> EarlierAttempts { get; init; } = EarlierAttempts ?? [];

    /// <summary>Why the node's last upload failed, as its heartbeat says while it retries; null when none failed.</summary>
    public string? UploadError { get; init; }

    /// <summary>Why the node's power-off failed, as its heartbeat says; null when it did not fail.</summary>
    public string? PowerOffError { get; init; }

    /// <summary>Where the status.json is that could not be read (<see cref="JobState.Unreadable"/>), as the store names it; null otherwise.</summary>
    public string? UnreadableStatus { get; init; }
}
