using CommandLine;
using CommandLine.Text;

namespace AwsRunner.Cli.Verbs;

[Verb("get", HelpText = "Copy a file or a folder from a job's node, as scp -r would: into LOCAL when it is a folder here, else as LOCAL. (Finished jobs' results: awsrunner fetch.)")]
internal sealed class GetVerb : CommonOptions
{
    [Value(0, MetaName = "NAME", Required = true, HelpText = "The batch.")]
    public string Name { get; set; } = "";

    [Value(1, MetaName = "INDEX", Required = true, HelpText = "The job, by its index (as status shows it: 7 or 0007).")]
    public int Index { get; set; }

    [Value(2, MetaName = "REMOTE", Required = true, HelpText = "The file or folder on the node: relative to the job's code folder ~/code, or ~/PATH, or absolute.")]
    public string Remote { get; set; } = "";

    [Value(3, MetaName = "LOCAL", HelpText = "Where on this machine (default: the current folder).")]
    public string? Local { get; set; }

    [Usage(ApplicationAlias = "awsrunner")]
    public static IEnumerable<Example> Examples =>
    [
        new("What job 7 has written so far", new GetVerb { Name = "sweep1", Index = 7, Remote = "output", Local = "job7-output" }),
        new("The install log of job 7's node", new GetVerb { Name = "sweep1", Index = 7, Remote = "~/awsrunner/install.log" }),
    ];
}
