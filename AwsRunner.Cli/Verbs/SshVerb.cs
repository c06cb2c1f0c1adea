using CommandLine;
using CommandLine.Text;

namespace AwsRunner.Cli.Verbs;

[Verb("ssh", HelpText = "Open a shell on the node of one job, or run COMMAND there; exits with the shell's or command's exit code.")]
internal sealed class SshVerb : CommonOptions
{
    [Value(0, MetaName = "NAME", Required = true, HelpText = "The batch.")]
    public string Name { get; set; } = "";

    [Value(1, MetaName = "INDEX", Required = true, HelpText = "The job, by its index (as status shows it: 7 or 0007).")]
    public int Index { get; set; }

    [Value(2, MetaName = "COMMAND", HelpText = "A bash command line to run in the node's home folder instead of a shell (put -- before it if it has options).")]
    public IEnumerable<string> Command { get; set; } = [];

    [Usage(ApplicationAlias = "awsrunner")]
    public static IEnumerable<Example> Examples =>
    [
        new("A shell on the node of job 7", new SshVerb { Name = "sweep1", Index = 7 }),
        new("What job 7's node is busy with", new SshVerb { Name = "sweep1", Index = 7, Command = ["top -bn1 | head -20"] }),
    ];
}
