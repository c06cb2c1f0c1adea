namespace AwsRunner.Core.Dispatch;

/// <summary>One job as fetch found it.</summary>
public sealed class FetchedJob
{
    /// <summary>The job.</summary>
    public required int Index { get; init; }

    /// <summary>Its exit code, or null when it has no result yet (running, or lost).</summary>
    public int? ExitCode { get; init; }

    /// <summary>Why what it uploaded could not be fetched (which object, what was wrong with it), or null.</summary>
    public string? Error { get; init; }

    /// <summary>The job's objects this fetch downloaded; 0 when all it had was already here, or it has nothing yet.</summary>
    public int ObjectsDownloaded { get; init; }
}
