namespace AwsRunner.Core.Ledger;

/// <summary>A node the batch launched: what it is, and how its install went.</summary>
internal sealed record LedgerNode
{
    /// <summary>The cloud's id for it.</summary>
    public required string Id { get; init; }

    /// <summary>Its instance type.</summary>
    public required string InstanceType { get; init; }

    /// <summary>Its seat (<see cref="LedgerSeat.Row"/>).</summary>
    public required int Seat { get; init; }

    /// <summary>When it was launched, as the cloud says.</summary>
    public required DateTimeOffset LaunchedAt { get; init; }

    /// <summary>Whether it is a spot instance.</summary>
    public bool Spot { get; init; }

    /// <summary>How its install ended: ready, install-failed or unreachable; null while it installs.</summary>
    public string? Install { get; init; }

    /// <summary>INSTALL.sh's exit code when it failed.</summary>
    public int? InstallExitCode { get; init; }

    /// <summary>When it was handed the queue and started working, on the bucket's clock; null before.</summary>
    public DateTimeOffset? WorkingAt { get; init; }

    /// <summary>When a dispatcher gave up on it as hung and terminated it, on the bucket's clock; null otherwise.</summary>
    public DateTimeOffset? GivenUpAt { get; init; }

    /// <summary>The version of the node runner it was given (<see cref="Node.NodeContract.RunnerVersion"/>); null before its install.</summary>
    public int? RunnerVersion { get; init; }
}
