namespace AwsRunner.Core.Ledger;

/// <summary>What the run's queue was published with, which its nodes work by and status judges the rows by.</summary>
internal sealed record LedgerQueue
{
    /// <summary>The run it was published for.</summary>
    public required int Run { get; init; }

    /// <summary>When, on the bucket's clock.</summary>
    public required DateTimeOffset PublishedAt { get; init; }

    /// <summary>Rows a node runs at once, by instance type.</summary>
    public required IReadOnlyDictionary<string, int> Slots { get; init; }

    /// <summary>Exit codes worth the next attempt.</summary>
    public IReadOnlyList<int> RetryOnExit { get; init; } = [];
}
