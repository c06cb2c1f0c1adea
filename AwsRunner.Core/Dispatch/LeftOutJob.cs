namespace AwsRunner.Core.Dispatch;

/// <summary>A job whose results CSV was not merged, and why.</summary>
public sealed class LeftOutJob
{
    /// <summary>The job.</summary>
    public required int Index { get; init; }

    /// <summary>Why: a different header, no CSV, several CSVs.</summary>
    public required string Reason { get; init; }
}
