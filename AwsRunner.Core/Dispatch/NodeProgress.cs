namespace AwsRunner.Core.Dispatch;

/// <summary>A job changed state during create, dispatch or a wait.</summary>
/// <param name="Index">The job.</param>
/// <param name="State">Its new state.</param>
/// <param name="Detail">More for a person, such as an exit code and log tail; null when there is nothing to add.</param>
public sealed record NodeProgress(int Index, JobState State, string? Detail = null)
{
    /// <summary>
    /// The node was up already, from an earlier run of the batch, and this run took it over instead of launching one:
    /// reported once, in place of launching and booting.
    /// </summary>
    public bool Adopted { get; init; }
}
