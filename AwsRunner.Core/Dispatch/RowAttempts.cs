namespace AwsRunner.Core.Dispatch;

/// <summary>
/// A retried row's attempts, as the manifest keeps them: the one it is on now, how each earlier one ended, and
/// whether its next launches are on demand (spot taken back too often). Absent for a row on its first attempt.
/// </summary>
internal sealed record RowAttempts
{
    public required int Current { get; init; }

    public IReadOnlyList<ManifestAttempt> Earlier { get; init; } = [];

    /// <summary>Launch this row on demand even when the batch asks for spot.</summary>
    public bool OnDemand { get; init; }

    /// <summary>The attempt a row is on.</summary>
    public static int CurrentOf(ManifestRow row) => row.Attempts?.Current ?? 1;
}
