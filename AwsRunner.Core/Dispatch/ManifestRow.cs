namespace AwsRunner.Core.Dispatch;

/// <summary>One job in the manifest: the row as planned and what became of its node.</summary>
internal sealed record ManifestRow
{
    public required int Index { get; init; }

    public required int Line { get; init; }

    public required string InstanceType { get; init; }

    public required string Command { get; init; }

    public required IReadOnlyDictionary<string, string> Variables { get; init; }

    public string? InstanceId { get; init; }

    /// <summary>How create left the node: ready, install-failed or unreachable.</summary>
    public string? Install { get; init; }

    /// <summary>INSTALL.sh's exit code when it failed.</summary>
    public int? InstallExitCode { get; init; }

    public DateTimeOffset? DispatchedAt { get; init; }

    /// <summary>The row's attempts once it was retried; null on its first.</summary>
    public RowAttempts? Attempts { get; init; }
}
