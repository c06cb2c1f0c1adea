namespace AwsRunner.Core.Ledger;

/// <summary>One job of the batch: the row as created, and its attempts, the current one last.</summary>
internal sealed record LedgerRow
{
    public required int Index { get; init; }

    public required int Line { get; init; }

    public required string InstanceType { get; init; }

    public required string Command { get; init; }

    public required IReadOnlyDictionary<string, string> Variables { get; init; }

    /// <summary>Launch it on demand even when the batch asks for spot: its spot instances were taken back too often.</summary>
    public bool OnDemand { get; init; }

    /// <summary>Every attempt, first first; never empty.</summary>
    public required IReadOnlyList<LedgerAttempt> Attempts { get; init; }

    /// <summary>The attempt the row is on.</summary>
    public LedgerAttempt Current => Attempts[^1];

    /// <summary>The attempts before the current one.</summary>
    public IEnumerable<LedgerAttempt> Earlier => Attempts.Take(Attempts.Count - 1);

    /// <summary>The row with its current attempt replaced.</summary>
    public LedgerRow WithCurrent(LedgerAttempt attempt) => this with { Attempts = [.. Earlier, attempt] };
}
