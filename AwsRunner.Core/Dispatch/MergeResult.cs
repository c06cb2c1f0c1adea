namespace AwsRunner.Core.Dispatch;

/// <summary>What merging the jobs' result CSVs gave.</summary>
public sealed class MergeResult
{
    /// <summary>The merged CSV.</summary>
    public required string MergedFile { get; init; }

    /// <summary>Data rows written.</summary>
    public int Rows { get; init; }

    /// <summary>Jobs whose CSV was merged.</summary>
    public int Jobs { get; init; }

    /// <summary>Jobs left out, each with the reason (a different header, no CSV).</summary>
    public IReadOnlyList<LeftOutJob> LeftOut { get; init; } = [];
}
