using System.Globalization;
using System.Text;
using AwsRunner.Core.Dispatch;

namespace AwsRunner.Core.Node;

/// <summary>
/// The names (and the one time limit) the node runner and awsrunner share, declared once here and handed to the script as read-only shell
/// variables at the top of its text, so that renaming one is one change on both sides. The state words and the sets of
/// states the runner decides by come from the one table of states, <see cref="JobStates"/>: the script spells none itself.
/// </summary>
internal static class NodeContract
{
    /// <summary>
    /// The node runner's version, raised whenever what it writes or understands changes: the ledger records the version
    /// each node was given, so that a node with an older runner is recognised.
    /// </summary>
    public const int RunnerVersion = 4;

    /// <summary>Shell name and value of every shared name, as the script declares them.</summary>
    public static IReadOnlyList<(string Name, string Value)> Names { get; } =
    [
        ("FILE_WORK_ENV", NodeRunnerScript.WorkEnvFile),
        ("FILE_QUEUE_ENV", NodeRunnerScript.QueueEnvFile),
        ("FILE_WORK_PID", NodeRunnerScript.WorkPidFile),
        ("DIR_ROWS", NodeRunnerScript.RowsFolder),
        ("DIR_SLOTS", NodeRunnerScript.SlotsFolder),
        ("FILE_JOB_PID", NodeRunnerScript.JobPidFile),
        ("FILE_JOB_ENV", NodeRunnerScript.JobEnvFile),
        ("FILE_URLS", NodeRunnerScript.UrlsEnvFile),
        ("FILE_SHARD_INDEX", Queue.QueueLayout.IndexFile),
        ("FILE_SECRETS", NodeVariables.SecretsFile),
        ("DEADLINE_UPLOAD_SECONDS", ((long)NodeDeadline.LastUpload.TotalSeconds).ToString(CultureInfo.InvariantCulture)),
        ("RUNNER_VERSION", RunnerVersion.ToString(CultureInfo.InvariantCulture)),
        .. JobStates.RunnerStates.Select(s => (StateName(s), s.ToName())),
        ("STATES_AT_WORK", Words(JobStates.RunnerAtWork)),
        ("STATES_STARTED", Words(JobStates.RunnerStarted)),
        ("STATES_ENDED_BEFORE_WORK", Words(JobStates.RunnerEndedBeforeWork)),
    ];

    // A script's line where the declarations go.
    private const string Marker = "#@CONTRACT@";

    /// <summary>A script's text with the declarations at its marker line.</summary>
    public static string Declare(string script) => script.Replace(Marker, Prelude, StringComparison.Ordinal);

    /// <summary>The shell name of a state's word: <c>STATE_UPLOAD_FAILED</c> for <c>upload-failed</c>.</summary>
    public static string StateName(JobState state) => "STATE_" + state.ToName().ToUpperInvariant().Replace('-', '_');

    /// <summary>The declarations that replace the script's marker line.</summary>
    public static string Prelude
    {
        get
        {
            var text = new StringBuilder("# Names shared with awsrunner (NodeContract.cs), declared there.\n");
            foreach (var (name, value) in Names)
            {
                text.Append("readonly ").Append(name).Append('=').Append(ShellQuote.Quote(value)).Append('\n');
            }

            return text.ToString().TrimEnd('\n');
        }
    }

    // A set of states as the script tests it: words separated by single spaces.
    private static string Words(IEnumerable<JobState> states) => string.Join(' ', states.Select(s => s.ToName()));
}
