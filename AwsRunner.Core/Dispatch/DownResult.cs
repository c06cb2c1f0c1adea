namespace AwsRunner.Core.Dispatch;

/// <summary>What down removed.</summary>
/// <param name="Name">The batch's NAME.</param>
/// <param name="Terminated">Instances terminated.</param>
/// <param name="ResultsDeleted">Whether the batch's results were deleted from the bucket.</param>
/// <param name="ResultsLocation">Where the results are (or were).</param>
public sealed record DownResult(string Name, int Terminated, bool ResultsDeleted, string ResultsLocation);
