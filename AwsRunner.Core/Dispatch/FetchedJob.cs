namespace AwsRunner.Core.Dispatch;

/// <summary>One job as fetch found it.</summary>
/// <param name="Index">The job.</param>
/// <param name="ExitCode">Its exit code, or null when it has no result yet (running, or lost).</param>
public sealed record FetchedJob(int Index, int? ExitCode);
