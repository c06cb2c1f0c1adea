using CommandLine;

namespace AwsRunner.Cli.Verbs;

[Verb("put", HelpText = "Copy a file or a folder to a job's node, as scp -r would; folders missing on the way are made.")]
internal sealed class PutVerb : CommonOptions, IVerbHelp
{
    [Value(0, MetaName = "NAME", Required = true, HelpText = "The batch.")]
    public string Name { get; set; } = "";

    [Value(1, MetaName = "INDEX", Required = true, HelpText = "The job, by its index (as status shows it: 7 or 0007).")]
    public int Index { get; set; }

    [Value(2, MetaName = "LOCAL", Required = true, HelpText = "The file or folder on this machine.")]
    public string Local { get; set; } = "";

    [Value(3, MetaName = "REMOTE", HelpText = "Where on the node: relative to the job's code folder ~/code (the default), or ~/PATH (quoted, so that your shell leaves ~ alone), or absolute; into it when it is a folder there, else as it.")]
    public string? Remote { get; set; }

    public static string Synopsis => "awsrunner put NAME INDEX LOCAL [REMOTE] [OPTIONS]";

    public static IReadOnlyList<VerbExample> Examples =>
    [
        new("Give job 7 a file, in its code folder", "awsrunner put sweep1 7 weights.bin"),
        new("... or a folder, as ~/code/data/extra (data/ is made if need be)", "awsrunner put sweep1 7 extra data/extra"),
    ];
}
