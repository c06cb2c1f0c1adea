namespace AwsRunner.Core.Ledger;

/// <summary>
/// One job of the batch: the row as created, and the attempt numbers it may use in this run. The attempts themselves
/// are the nodes' to claim (<c>NAME/queue/rows/0007/K.claim</c>): the ledger says which numbers exist, the bucket who
/// took them and how they ended.
/// </summary>
internal sealed record LedgerRow
{
    public required int Index { get; init; }

    public required int Line { get; init; }

    public required string InstanceType { get; init; }

    public required string Command { get; init; }

    public required IReadOnlyDictionary<string, string> Variables { get; init; }

    /// <summary>The row's first attempt number in this run: 1, or above every attempt of the runs before.</summary>
    public int FirstAttempt { get; init; } = 1;

    /// <summary>Its last attempt number in this run (1 + --max-retries from the first); 0 before the queue is published.</summary>
    public int LastAttempt { get; init; }

    /// <summary>The attempt numbers it may use in this run, lowest first; none before the queue is published.</summary>
    public IEnumerable<int> Attempts => LastAttempt < FirstAttempt ? [] : Enumerable.Range(FirstAttempt, LastAttempt - FirstAttempt + 1);
}
