using System.Diagnostics.CodeAnalysis;
using AwsRunner.Core.Cloud;

namespace AwsRunner.Core.Dispatch;

/// <summary>Where one job stands, merged from what the cloud and the bucket say.</summary>
public sealed class JobStatus
{
    /// <summary>Creates a status, to be filled with an object initializer.</summary>
    public JobStatus()
    {
    }

    /// <summary>A copy of <paramref name="other"/>, for an object initializer to change.</summary>
    [SetsRequiredMembers]
    internal JobStatus(JobStatus other)
    {
        Index = other.Index;
        InstanceType = other.InstanceType;
        InstanceId = other.InstanceId;
        Instance = other.Instance;
        State = other.State;
        ExitCode = other.ExitCode;
        Started = other.Started;
        Finished = other.Finished;
        LastHeartbeat = other.LastHeartbeat;
        Progress = other.Progress;
        Elapsed = other.Elapsed;
        SpotRefusal = other.SpotRefusal;
        Attempt = other.Attempt;
        EarlierAttempts = other.EarlierAttempts;
        UploadError = other.UploadError;
        PowerOffError = other.PowerOffError;
        UnreadableStatus = other.UnreadableStatus;
    }

    /// <summary>The job.</summary>
    public required int Index { get; init; }

    /// <summary>Its instance type.</summary>
    public required string InstanceType { get; init; }

    /// <summary>Its instance, if it has one.</summary>
    public string? InstanceId { get; init; }

    /// <summary>Its instance's state, if the cloud still knows it.</summary>
    public InstanceState? Instance { get; init; }

    /// <summary>Where the job stands.</summary>
    public required JobState State { get; init; }

    /// <summary>The command's exit code, once it has finished.</summary>
    public int? ExitCode { get; init; }

    /// <summary>When the command started.</summary>
    public DateTimeOffset? Started { get; init; }

    /// <summary>When the command ended.</summary>
    public DateTimeOffset? Finished { get; init; }

    /// <summary>When the node last reported.</summary>
    public DateTimeOffset? LastHeartbeat { get; init; }

    /// <summary>The last progress line the job wrote to <c>$AWSRUNNER_PROGRESS</c>.</summary>
    public string? Progress { get; init; }

    /// <summary>How long the command ran, or has run so far.</summary>
    public TimeSpan? Elapsed { get; init; }

    /// <summary>Why its instance runs on demand though spot was asked for (the cloud's reason; on EC2 its error code); null otherwise.</summary>
    public string? SpotRefusal { get; init; }

    /// <summary>Which attempt of the row this is: 1 for its first run, 2 for its first retry.</summary>
    public int Attempt { get; init; } = 1;

    /// <summary>How the row's earlier attempts ended, first first; empty when it was never retried.</summary>
    public IReadOnlyList<JobAttempt> EarlierAttempts { get; init; } = [];

    /// <summary>Why the node's last upload failed, as its heartbeat says while it retries; null when none failed.</summary>
    public string? UploadError { get; init; }

    /// <summary>Why the node's power-off failed, as its heartbeat says; null when it did not fail.</summary>
    public string? PowerOffError { get; init; }

    /// <summary>Where the status.json is that could not be read (<see cref="JobState.Unreadable"/>), as the store names it; null otherwise.</summary>
    public string? UnreadableStatus { get; init; }
}
