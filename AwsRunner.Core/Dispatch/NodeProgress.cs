namespace AwsRunner.Core.Dispatch;

/// <summary>A job changed state during create, dispatch or a wait.</summary>
/// <param name="Index">The job.</param>
/// <param name="State">Its new state.</param>
/// <param name="Detail">More for a person, such as an exit code and log tail; null when there is nothing to add.</param>
public sealed record NodeProgress(int Index, JobState State, string? Detail = null);
