namespace AwsRunner.Core.Dispatch;

/// <summary>Whose problem a job's state is, if anyone's: what decides the exit code of a wait.</summary>
public enum JobProblem
{
    /// <summary>Nothing went wrong (yet).</summary>
    None,

    /// <summary>The job itself failed: its command exited non-zero, or ran past its time.</summary>
    Job,

    /// <summary>The cloud or the node failed the job: lost, preempted, hung, not installed, not reachable, not uploaded.</summary>
    Cloud,
}
