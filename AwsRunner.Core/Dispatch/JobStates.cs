namespace AwsRunner.Core.Dispatch;

/// <summary>
/// The one table of job states: each state's word (the node runner's and the command line's), whether it is final,
/// whether the job had started, whether it is worth another attempt, and whose problem it is. Every other part of
/// awsrunner asks here; the node runner gets its words from here too (<see cref="Node.NodeContract"/>).
/// </summary>
public static class JobStates
{
    private static readonly Dictionary<JobState, Entry> Table = new()
    {
        [JobState.Pending] = new("pending", Final: false, Started: false, RetryRule.Never, JobProblem.None, Outcome: false, Runner: false),
        [JobState.Launching] = new("launching", Final: false, Started: false, RetryRule.Never, JobProblem.None, Outcome: false, Runner: false),
        [JobState.Booting] = new("booting", Final: false, Started: false, RetryRule.Never, JobProblem.None, Outcome: false, Runner: false),
        [JobState.Installing] = new("installing", Final: false, Started: false, RetryRule.Never, JobProblem.None, Outcome: false, Runner: true),
        // Not retried by a wait: the same INSTALL.sh from the same bundle would most likely fail again.
        [JobState.InstallFailed] = new("install-failed", Final: true, Started: false, RetryRule.Never, JobProblem.Cloud, Outcome: false, Runner: true),
        [JobState.Unreachable] = new("unreachable", Final: true, Started: false, RetryRule.Never, JobProblem.Cloud, Outcome: false, Runner: false),
        [JobState.Ready] = new("ready", Final: false, Started: false, RetryRule.Never, JobProblem.None, Outcome: false, Runner: true),
        [JobState.Queued] = new("queued", Final: false, Started: true, RetryRule.Never, JobProblem.None, Outcome: false, Runner: true),
        [JobState.Starting] = new("starting", Final: false, Started: true, RetryRule.Never, JobProblem.None, Outcome: false, Runner: false),
        [JobState.Running] = new("running", Final: false, Started: true, RetryRule.Never, JobProblem.None, Outcome: false, Runner: true),
        [JobState.Uploading] = new("uploading", Final: false, Started: true, RetryRule.Never, JobProblem.None, Outcome: false, Runner: true),
        [JobState.Done] = new("done", Final: true, Started: true, RetryRule.Never, JobProblem.None, Outcome: true, Runner: true),
        [JobState.Failed] = new("failed", Final: true, Started: true, RetryRule.WhenExitCodeAsked, JobProblem.Job, Outcome: true, Runner: true),
        // The node still holds the results and keeps trying until its dead man's switch: not over yet.
        [JobState.UploadFailed] = new("upload-failed", Final: false, Started: true, RetryRule.Never, JobProblem.Cloud, Outcome: true, Runner: true),
        [JobState.Hung] = new("hung", Final: false, Started: true, RetryRule.Always, JobProblem.Cloud, Outcome: false, Runner: false),
        [JobState.Lost] = new("lost", Final: true, Started: false, RetryRule.Always, JobProblem.Cloud, Outcome: false, Runner: false),
        [JobState.Deadline] = new("deadline", Final: true, Started: true, RetryRule.Never, JobProblem.Job, Outcome: true, Runner: true),
        [JobState.Preempted] = new("preempted", Final: true, Started: true, RetryRule.Always, JobProblem.Cloud, Outcome: true, Runner: true),
        // Its status.json is in the bucket but does not parse: ended, and never run again over its result.
        [JobState.Unreadable] = new("unreadable", Final: true, Started: true, RetryRule.Never, JobProblem.Cloud, Outcome: true, Runner: false),
        [JobState.TakenDown] = new("taken-down", Final: true, Started: false, RetryRule.Never, JobProblem.Cloud, Outcome: false, Runner: false),
    };

    private static readonly Dictionary<string, JobState> ByWord = Table.ToDictionary(e => e.Value.Word, e => e.Key, StringComparer.Ordinal);

    /// <summary>How a state's attempt may be followed by another.</summary>
    internal enum RetryRule
    {
        /// <summary>Never by a wait.</summary>
        Never,

        /// <summary>Whenever the row has attempts left.</summary>
        Always,

        /// <summary>When the command's exit code is one the user asked to retry.</summary>
        WhenExitCodeAsked,
    }

    /// <summary>The states the node runner writes, which its contract prelude names.</summary>
    internal static IEnumerable<JobState> RunnerStates => Table.Where(e => e.Value.Runner).Select(e => e.Key);

    /// <summary>The runner's states of work begun and not over: a row in one renews its lease with each beat.</summary>
    internal static IEnumerable<JobState> RunnerAtWork => RunnerStates.Where(s => Table[s].Started && !Table[s].Final);

    /// <summary>The runner's states once work began: a second start of the work only reports them.</summary>
    internal static IEnumerable<JobState> RunnerStarted => RunnerStates.Where(s => Table[s].Started);

    /// <summary>The runner's states that ended before any work: an install may start again from them.</summary>
    internal static IEnumerable<JobState> RunnerEndedBeforeWork => RunnerStates.Where(s => Table[s].Final && !Table[s].Started);

    /// <summary>The state as one lowercase word, such as <c>install-failed</c>.</summary>
    /// <param name="state">The state.</param>
    /// <returns>Its word.</returns>
    public static string ToName(this JobState state) => Table[state].Word;

    /// <summary>Whether the job will not change state any more on its own.</summary>
    /// <param name="state">The state.</param>
    /// <returns>True when it is final.</returns>
    public static bool IsFinal(this JobState state) => Table[state].Final;

    /// <summary>Whether the job's command was started (it may have ended since).</summary>
    /// <param name="state">The state.</param>
    /// <returns>True once it was dispatched to its node.</returns>
    public static bool IsStarted(this JobState state) => Table[state].Started;

    /// <summary>Whose problem the state is, if anyone's.</summary>
    /// <param name="state">The state.</param>
    /// <returns>None, the job's, or the cloud's.</returns>
    public static JobProblem Problem(this JobState state) => Table[state].Problem;

    /// <summary>Whether the node has the attempt's outcome: its command ended and its status.json is written.</summary>
    internal static bool HasOutcome(this JobState state) => Table[state].Outcome;

    /// <summary>Whether an attempt that is in this state is worth another one.</summary>
    internal static bool IsRetryable(this JobState state, int? exitCode, IReadOnlyCollection<int> retryOnExit) => Table[state].Retry switch
    {
        RetryRule.Always => true,
        RetryRule.WhenExitCodeAsked => exitCode is { } code && retryOnExit.Contains(code),
        _ => false,
    };

    /// <summary>The state of a word, if it is one.</summary>
    internal static bool TryParse(string? word, out JobState state) => ByWord.TryGetValue(word ?? "", out state);

    /// <summary>
    /// The state a node runner reports; a word it does not write (an older or newer runner's) reads as starting: the
    /// job was handed over and its node has not said anything this awsrunner knows.
    /// </summary>
    internal static JobState FromRunner(string? word) => TryParse(word, out var state) && Table[state].Runner ? state : JobState.Starting;

    private sealed record Entry(string Word, bool Final, bool Started, RetryRule Retry, JobProblem Problem, bool Outcome, bool Runner);
}
