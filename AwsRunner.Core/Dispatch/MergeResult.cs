namespace AwsRunner.Core.Dispatch;

/// <summary>What merging the jobs' result CSVs gave.</summary>
/// <param name="MergedFile">The merged CSV.</param>
/// <param name="Rows">Data rows written.</param>
/// <param name="Jobs">Jobs whose CSV was merged.</param>
/// <param name="LeftOut">Jobs left out, each with the reason (a different header, no CSV).</param>
public sealed record MergeResult(string MergedFile, int Rows, int Jobs, IReadOnlyList<LeftOutJob> LeftOut);
