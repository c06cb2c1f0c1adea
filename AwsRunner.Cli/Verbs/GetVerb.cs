using CommandLine;

namespace AwsRunner.Cli.Verbs;

[Verb("get", HelpText = "Copy a file or a folder from a job's node, as scp -r would (finished jobs' results: fetch).")]
internal sealed class GetVerb : CommonOptions, IVerbHelp
{
    [Value(0, MetaName = "NAME", Required = true, HelpText = "The batch.")]
    public string Name { get; set; } = "";

    [Value(1, MetaName = "INDEX", Required = true, HelpText = "The job, by its index (as status shows it: 7 or 0007).")]
    public int Index { get; set; }

    [Value(2, MetaName = "REMOTE", Required = true, HelpText = "The file or folder on the node: relative to the job's code folder ~/code, or ~/PATH (quoted, so that your shell leaves ~ alone), or absolute.")]
    public string Remote { get; set; } = "";

    [Value(3, MetaName = "LOCAL", HelpText = "Where on this machine: into it when it is a folder here, else as it (default: the current folder).")]
    public string? Local { get; set; }

    public static string Synopsis => "awsrunner get NAME INDEX REMOTE [LOCAL] [OPTIONS]";

    public static IReadOnlyList<VerbExample> Examples =>
    [
        new("What job 7 has written so far, as ./job7-output", "awsrunner get sweep1 7 output job7-output"),
        new("The install log of job 7's node (quoted: ~ is the node's home, not yours)", "awsrunner get sweep1 7 '~/awsrunner/install.log'"),
    ];
}
