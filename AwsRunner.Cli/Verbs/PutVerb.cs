using CommandLine;
using CommandLine.Text;

namespace AwsRunner.Cli.Verbs;

[Verb("put", HelpText = "Copy a file or a folder to a job's node, as scp -r would: into REMOTE when it is a folder there, else as REMOTE.")]
internal sealed class PutVerb : CommonOptions
{
    [Value(0, MetaName = "NAME", Required = true, HelpText = "The batch.")]
    public string Name { get; set; } = "";

    [Value(1, MetaName = "INDEX", Required = true, HelpText = "The job, by its index (as status shows it: 7 or 0007).")]
    public int Index { get; set; }

    [Value(2, MetaName = "LOCAL", Required = true, HelpText = "The file or folder on this machine.")]
    public string Local { get; set; } = "";

    [Value(3, MetaName = "REMOTE", HelpText = "Where on the node: relative to the job's code folder ~/code (the default), or ~/PATH, or absolute.")]
    public string? Remote { get; set; }

    [Usage(ApplicationAlias = "awsrunner")]
    public static IEnumerable<Example> Examples =>
    [
        new("Give job 7 a file, in its code folder", new PutVerb { Name = "sweep1", Index = 7, Local = "weights.bin" }),
        new("... or a folder, as ~/code/data/extra", new PutVerb { Name = "sweep1", Index = 7, Local = "extra", Remote = "data/extra" }),
    ];
}
