namespace AwsRunner.Core.Dispatch;

/// <summary>How an earlier attempt of a retried job ended.</summary>
public sealed class JobAttempt
{
    /// <summary>Its number: 1 for the row's first run.</summary>
    public required int Attempt { get; init; }

    /// <summary>How it ended: preempted, lost, or failed (with <see cref="DispatchOptions.RetryOnExit"/>).</summary>
    public required JobState State { get; init; }

    /// <summary>The command's exit code, when it reported one.</summary>
    public int? ExitCode { get; init; }

    /// <summary>The instance it ran on.</summary>
    public string? InstanceId { get; init; }

    /// <summary>Whether that instance was a spot instance.</summary>
    public bool Spot { get; init; }
}
