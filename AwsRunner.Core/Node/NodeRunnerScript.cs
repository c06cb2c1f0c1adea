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

    /// <summary>The job's command and settings, in the runner's folder; written once, at dispatch.</summary>
    public const string JobEnvFile = "job.env";

    /// <summary>The upload URLs, in the runner's folder; rewritten by a re-run of the dispatch, read at each upload.</summary>
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
