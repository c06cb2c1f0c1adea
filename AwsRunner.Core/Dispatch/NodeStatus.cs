using AwsRunner.Core.Cloud;

namespace AwsRunner.Core.Dispatch;

/// <summary>One node of a batch: its instance, and the rows it has run and runs.</summary>
public sealed class NodeStatus
{
    /// <summary>The cloud's id for it.</summary>
    public required string InstanceId { get; init; }

    /// <summary>Its instance type: it runs that type's rows.</summary>
    public required string InstanceType { get; init; }

    /// <summary>Its instance's state; null when the cloud no longer knows it.</summary>
    public InstanceState? Instance { get; init; }

    /// <summary>How its install went: ready, install-failed or unreachable; null while it installs.</summary>
    public JobState? Install { get; init; }

    /// <summary>Whether it was handed the queue.</summary>
    public bool Working { get; init; }

    /// <summary>The rows it runs now, by index.</summary>
    public IReadOnlyList<int> Running { get; init; } = [];

    /// <summary>How many rows' attempts it finished (done, failed, or stopped by its switch).</summary>
    public int Finished { get; init; }

    /// <summary>Whether it is a spot instance.</summary>
    public bool Spot { get; init; }
}
