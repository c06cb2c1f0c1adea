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

    private static readonly Lazy<string> Text = new(() => EmbeddedText.Read("AwsRunner.Core.Node.node-runner.sh"));

    /// <summary>The script's text.</summary>
    public static string Content => Text.Value;

    /// <summary>The command line that runs a runner step on the node.</summary>
    public static string Command(params string[] arguments) =>
        "bash " + Path + string.Concat(arguments.Select(a => " " + ShellQuote.Quote(a)));
}
