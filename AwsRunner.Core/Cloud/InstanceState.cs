namespace AwsRunner.Core.Cloud;

/// <summary>The life-cycle state of a node's instance, as the cloud reports it.</summary>
public enum InstanceState
{
    /// <summary>Launched, not yet running.</summary>
    Pending,

    /// <summary>Running (it may still be booting).</summary>
    Running,

    /// <summary>Being stopped.</summary>
    Stopping,

    /// <summary>Stopped (still billed for its storage).</summary>
    Stopped,

    /// <summary>Being terminated.</summary>
    ShuttingDown,

    /// <summary>Gone.</summary>
    Terminated,
}
