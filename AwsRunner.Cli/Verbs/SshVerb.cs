using CommandLine;

namespace AwsRunner.Cli.Verbs;

[Verb("ssh", HelpText = "Open a shell on a job's node, or run one command there; exits with its exit code.")]
internal sealed class SshVerb : CommonOptions, IVerbHelp
{
    [Value(0, MetaName = "NAME", Required = true, HelpText = "The batch.")]
    public string Name { get; set; } = "";

    [Value(1, MetaName = "INDEX", Required = true, HelpText = "The job, by its index (as status shows it: 7 or 0007).")]
    public int Index { get; set; }

    [Value(2, MetaName = "COMMAND", HelpText = "A bash command line to run in the node's home folder instead of a shell (put -- before it if it has options).")]
    public IEnumerable<string> Command { get; set; } = [];

    public static string Synopsis => "awsrunner ssh NAME INDEX [-- COMMAND...] [OPTIONS]";

    public static IReadOnlyList<VerbExample> Examples =>
    [
        new("A shell on the node of job 7", "awsrunner ssh sweep1 7"),
        new("What job 7's node is busy with", "awsrunner ssh sweep1 7 -- 'top -bn1 | head -20'"),
    ];
}
