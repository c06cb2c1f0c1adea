namespace AwsRunner.Core.Dispatch;

/// <summary>How an earlier attempt of a retried job ended.</summary>
/// <param name="Attempt">Its number: 1 for the row's first run.</param>
/// <param name="State">How it ended: preempted, lost, or failed (with <c>--retry-on-exit</c>).</param>
/// <param name="ExitCode">The command's exit code, when it reported one.</param>
/// <param name="InstanceId">The instance it ran on.</param>
/// <param name="Spot">Whether that instance was a spot instance.</param>
public sealed record JobAttempt(int Attempt, JobState State, int? ExitCode = null, string? InstanceId = null, bool Spot = false);
