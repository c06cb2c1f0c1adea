namespace AwsRunner.Core.Dispatch;

/// <summary>One job as fetch found it.</summary>
/// <param name="Index">The job.</param>
/// <param name="ExitCode">Its exit code, or null when it has no result yet (running, or lost).</param>
/// <param name="Error">Why what it uploaded could not be fetched (which object, what was wrong with it), or null.</param>
public sealed record FetchedJob(int Index, int? ExitCode, string? Error = null)
{
    /// <summary>The job's objects this fetch downloaded; 0 when all it had was already here, or it has nothing yet.</summary>
    public int ObjectsDownloaded { get; init; }
}
