namespace AwsRunner.Core.Ledger;

/// <summary>One attempt of a row: the node it runs on, when it was dispatched, and how it ended once a dispatcher saw it end.</summary>
internal sealed record LedgerAttempt
{
    /// <summary>Its number: 1 for the row's first run; its objects are in <c>attempt-K/</c> after the first.</summary>
    public required int Number { get; init; }

    /// <summary>The run of the batch it belongs to: 1, then one more each time the batch starts afresh after down.</summary>
    public int Run { get; init; } = 1;

    /// <summary>Its node's instance id, once launched.</summary>
    public string? Node { get; init; }

    /// <summary>Who is launching its node, until the node is recorded.</summary>
    public LaunchClaim? Claim { get; init; }

    /// <summary>When its command was handed to its node, on the bucket's clock.</summary>
    public DateTimeOffset? DispatchedAt { get; init; }

    /// <summary>How it ended, as a state word, once a dispatcher recorded its end; null while it may still change.</summary>
    public string? Ended { get; init; }

    /// <summary>Its command's exit code, when it ended with one.</summary>
    public int? ExitCode { get; init; }
}
