using CommandLine;
using CommandLine.Text;

namespace AwsRunner.Cli.Verbs;

[Verb("down", HelpText = "Terminate whatever of a batch still runs and remove its key pair and firewall; results stay unless --delete-results.")]
internal sealed class DownVerb : CommonOptions
{
    [Value(0, MetaName = "NAME", Required = true, HelpText = "The batch.")]
    public string Name { get; set; } = "";

    [Option("delete-results", HelpText = "Also delete the batch's results from the bucket (and the bucket, if awsrunner created it and that empties it).")]
    public bool DeleteResults { get; set; }

    [Option('y', "yes", HelpText = "Terminate jobs that still run without asking (needed where no one can answer: scripts, CI).")]
    public bool Yes { get; set; }

    [Usage(ApplicationAlias = "awsrunner")]
    public static IEnumerable<Example> Examples =>
    [
        new("Remove a batch, keeping its results", new DownVerb { Name = "sweep1" }),
    ];
}
