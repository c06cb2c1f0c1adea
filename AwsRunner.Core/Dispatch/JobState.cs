namespace AwsRunner.Core.Dispatch;

/// <summary>Where a job stands, merged from its instance's state, its node's reports and the bucket; <see cref="JobStates"/> says what each means.</summary>
public enum JobState
{
    /// <summary>No instance yet.</summary>
    Pending,

    /// <summary>Its instance is being launched.</summary>
    Launching,

    /// <summary>Its instance is starting up and not yet reachable.</summary>
    Booting,

    /// <summary>The code is being uploaded or INSTALL.sh is running.</summary>
    Installing,

    /// <summary>INSTALL.sh failed.</summary>
    InstallFailed,

    /// <summary>The node could not be reached.</summary>
    Unreachable,

    /// <summary>Installed and waiting to be dispatched.</summary>
    Ready,

    /// <summary>Dispatched; waiting for a free slot (local cloud).</summary>
    Queued,

    /// <summary>Dispatched; the runner has not reported yet.</summary>
    Starting,

    /// <summary>The command is running.</summary>
    Running,

    /// <summary>The command ended; its results are being uploaded.</summary>
    Uploading,

    /// <summary>Finished with exit code 0, results uploaded.</summary>
    Done,

    /// <summary>Finished with a non-zero exit code, results uploaded.</summary>
    Failed,

    /// <summary>
    /// The results upload has failed for longer than its grace period; the node keeps them and keeps trying (until
    /// its dead man's switch), so the job may still end done.
    /// </summary>
    UploadFailed,

    /// <summary>The instance runs but its heartbeat stopped.</summary>
    Hung,

    /// <summary>The instance is gone and its job never reported a result.</summary>
    Lost,

    /// <summary>The dead man's switch stopped the job at <c>--max-hours</c>; what it had was uploaded.</summary>
    Deadline,

    /// <summary>EC2 took the spot instance back; the job was stopped and its log and partial results uploaded.</summary>
    Preempted,

    /// <summary>The batch was taken down (<c>awsrunner down</c>) before the job ended.</summary>
    TakenDown,

    /// <summary>
    /// The job's status.json is in the bucket but cannot be read: the job ended, its result is there to look at, and
    /// it is never run again (which would overwrite it).
    /// </summary>
    Unreadable,
}
