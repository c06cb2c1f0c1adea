using System.Diagnostics.CodeAnalysis;

namespace AwsRunner.Core.Dispatch;

/// <summary>How one job's node came out of create or dispatch.</summary>
public sealed class NodeOutcome
{
    /// <summary>Creates an outcome, to be filled with an object initializer.</summary>
    public NodeOutcome()
    {
    }

    /// <summary>A copy of <paramref name="other"/>, for an object initializer to change.</summary>
    [SetsRequiredMembers]
    internal NodeOutcome(NodeOutcome other)
    {
        Index = other.Index;
        InstanceId = other.InstanceId;
        State = other.State;
        ExitCode = other.ExitCode;
        Detail = other.Detail;
        FinishedEarlier = other.FinishedEarlier;
        SpotRefusal = other.SpotRefusal;
    }

    /// <summary>The job.</summary>
    public required int Index { get; init; }

    /// <summary>Its instance, if it has one.</summary>
    public string? InstanceId { get; init; }

    /// <summary>Where it stands now.</summary>
    public required JobState State { get; init; }

    /// <summary>INSTALL.sh's exit code when it failed.</summary>
    public int? ExitCode { get; init; }

    /// <summary>What went wrong (the last lines of the log, or the error), when something did.</summary>
    public string? Detail { get; init; }

    /// <summary>The job's result was already in the bucket, so this run left it alone.</summary>
    public bool FinishedEarlier { get; init; }

    /// <summary>Why its node runs on demand though spot was asked for (the cloud's reason; on EC2 its error code); null otherwise.</summary>
    public string? SpotRefusal { get; init; }
}
