namespace AwsRunner.Core.Dispatch;

/// <summary>A job changed state during create, dispatch or a wait.</summary>
public sealed class NodeProgress
{
    /// <summary>The job.</summary>
    public required int Index { get; init; }

    /// <summary>Its new state.</summary>
    public required JobState State { get; init; }

    /// <summary>More for a person, such as an exit code and log tail; null when there is nothing to add.</summary>
    public string? Detail { get; init; }

    /// <summary>
    /// The node was up already, from an earlier run of the batch, and this run took it over instead of launching one:
    /// reported once, in place of launching and booting.
    /// </summary>
    public bool Adopted { get; init; }
}
