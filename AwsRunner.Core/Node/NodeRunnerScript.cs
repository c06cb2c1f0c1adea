namespace AwsRunner.Core.Node;

/// <summary>The node runner script embedded in this assembly, and where it and its files live on a node.</summary>
internal static class NodeRunnerScript
{
    /// <summary>The runner's folder, relative to the node's home.</summary>
    public const string Folder = "awsrunner";

    /// <summary>The job's code folder (its working directory), relative to the node's home.</summary>
    public const string CodeFolder = "code";

    /// <summary>The runner, relative to the node's home.</summary>
    public const string Path = Folder + "/runner.sh";

    /// <summary>The node's work (batch, node id, instance type, slots, lease and retry settings), in the runner's folder; written at dispatch.</summary>
    public const string WorkEnvFile = "work.env";

    /// <summary>The URLs of the node's queue (its type's shards, the LIST pages, its result parts), in the runner's folder; written at dispatch.</summary>
    public const string QueueEnvFile = "queue.env";

    /// <summary>
    /// A row's record, in the row's folder on the node (<c>rows/0007/</c>): its index, attempt and slot, written by the
    /// runner as it claims the row, then a line appended for each step (started, exit code, archive packed, all up).
    /// </summary>
    public const string JobEnvFile = "job.env";

    /// <summary>The rows a node ran, a folder each (<c>rows/0007/</c>: state, job.log, ...), in the runner's folder.</summary>
    public const string RowsFolder = "rows";

    /// <summary>The node's row slots, a folder each (<c>slots/1/</c>: the row it runs, what lasts that row's run only), in the runner's folder.</summary>
    public const string SlotsFolder = "slots";

    /// <summary>In a slot's folder: the pid of its row's job, the leader of the job's own session, which a stop ends.</summary>
    public const string JobPidFile = "job.pid";

    /// <summary>The work step's pid, in the runner's folder, once the node works through its queue: its work is handed once.</summary>
    public const string WorkPidFile = "work.pid";

    /// <summary>A row's attempt's upload URLs, in the row's folder on the node, copied from the shard; read at each upload.</summary>
    public const string UrlsEnvFile = "urls.env";

    // The script's names for what both sides know (file names, state words) come from NodeContract, so that each is
    // spelled once: the script holds a marker line where they are declared.
    private static readonly Lazy<string> Text = new(() => NodeContract.Declare(EmbeddedText.Read("AwsRunner.Core.Node.node-runner.sh")));

    /// <summary>The script's text.</summary>
    public static string Content => Text.Value;

    /// <summary>The command line that runs a runner step on the node.</summary>
    public static string Command(params string[] arguments) =>
        "bash " + Path + string.Concat(arguments.Select(a => " " + ShellQuote.Quote(a)));
}
