using CommandLine;

namespace AwsRunner.Cli.Verbs;

[Verb("down", HelpText = "Terminate what a batch still runs and remove what it made; its results stay unless --delete-results.")]
internal sealed class DownVerb : CommonOptions, IVerbHelp
{
    [Value(0, MetaName = "NAME", Required = true, HelpText = "The batch.")]
    public string Name { get; set; } = "";

    [Option("delete-results", HelpText = "Also delete the batch's results from the bucket (and the bucket, if awsrunner created it and that empties it).")]
    public bool DeleteResults { get; set; }

    [Option('y', "yes", HelpText = "Terminate jobs that still run without asking (needed where no one can answer: scripts, CI).")]
    public bool Yes { get; set; }

    public static string Synopsis => "awsrunner down NAME [--delete-results] [--yes] [OPTIONS]";

    public static IReadOnlyList<VerbExample> Examples =>
    [
        new("Remove a batch, keeping its results", "awsrunner down sweep1"),
        new("... and its results too", "awsrunner down sweep1 --delete-results"),
    ];
}
