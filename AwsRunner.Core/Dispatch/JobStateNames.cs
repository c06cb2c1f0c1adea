namespace AwsRunner.Core.Dispatch;

/// <summary>The words the node runner and the command line use for job states.</summary>
public static class JobStateNames
{
    /// <summary>The state as one lowercase word, such as <c>install-failed</c>.</summary>
    /// <param name="state">The state.</param>
    /// <returns>Its name.</returns>
    public static string ToName(this JobState state) => state switch
    {
        JobState.InstallFailed => "install-failed",
        JobState.UploadFailed => "upload-failed",
        _ => state.ToString().ToLowerInvariant(),
    };

    /// <summary>Whether the job will not change state any more on its own.</summary>
    /// <param name="state">The state.</param>
    /// <returns>
    /// True for done, failed, lost, preempted, install-failed, unreachable, deadline and unreadable; not for
    /// upload-failed, whose node still holds its results and retries.
    /// </returns>
    public static bool IsFinal(this JobState state) =>
        state is JobState.Done or JobState.Failed or JobState.Lost or JobState.Preempted
            or JobState.InstallFailed or JobState.Unreachable or JobState.Deadline or JobState.Unreadable;

    /// <summary>Whether a word is the name of a state.</summary>
    internal static bool IsWord(string word) => Enum.GetValues<JobState>().Any(s => s.ToName() == word);

    internal static JobState FromRunner(string state) => state switch
    {
        "installing" => JobState.Installing,
        "install-failed" => JobState.InstallFailed,
        "ready" => JobState.Ready,
        "queued" => JobState.Queued,
        "running" => JobState.Running,
        "uploading" => JobState.Uploading,
        "done" => JobState.Done,
        "failed" => JobState.Failed,
        "upload-failed" => JobState.UploadFailed,
        "deadline" => JobState.Deadline,
        "preempted" => JobState.Preempted,
        _ => JobState.Starting,
    };
}
