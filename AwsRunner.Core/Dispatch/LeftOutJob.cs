namespace AwsRunner.Core.Dispatch;

/// <summary>A job whose results CSV was not merged, and why.</summary>
/// <param name="Index">The job.</param>
/// <param name="Reason">Why: a different header, no CSV, several CSVs.</param>
public sealed record LeftOutJob(int Index, string Reason);
