namespace AwsRunner.Core.Ledger;

/// <summary>
/// What a batch is fixed to at creation and every node of it is judged by: a re-run may not change it (it is refused
/// with exit code 2), so that a node launched under one setting is never judged by another.
/// </summary>
internal sealed record BatchSettings
{
    /// <summary>The dead man's switch: a node powers itself off this many hours after its launch.</summary>
    public required double MaxHours { get; init; }

    /// <summary>How often a node beats; three missed beats make it hung.</summary>
    public required int HeartbeatSeconds { get; init; }

    /// <summary>The code bundle every node of the batch installs, retries included (lower-case hex).</summary>
    public required string BundleSha256 { get; init; }
}
