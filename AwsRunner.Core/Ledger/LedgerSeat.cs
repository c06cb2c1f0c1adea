namespace AwsRunner.Core.Ledger;

/// <summary>
/// A place for a node of one instance type: the batch launches one node a seat, and again when its node is lost while
/// rows of its type are left. A seat is named by the row its node starts its walk at (<see cref="Row"/>, the row the
/// cloud tags its instance with); with one node a row, as without <c>--max-instances</c>, each row has its seat.
/// </summary>
internal sealed record LedgerSeat
{
    public required int Row { get; init; }

    public required string InstanceType { get; init; }

    /// <summary>Its node, once launched; null while it has none.</summary>
    public string? Node { get; init; }

    /// <summary>Who is launching its node, until the node is recorded.</summary>
    public LaunchClaim? Claim { get; init; }

    /// <summary>Launch its nodes on demand even when the batch asks for spot: its spot nodes were taken back too often.</summary>
    public bool OnDemand { get; init; }

    /// <summary>Its earlier nodes, first first: lost, taken back, or given up on.</summary>
    public IReadOnlyList<string> Gone { get; init; } = [];
}
