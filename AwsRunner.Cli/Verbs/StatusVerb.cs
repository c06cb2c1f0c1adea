using CommandLine;
using CommandLine.Text;

namespace AwsRunner.Cli.Verbs;

[Verb("status", HelpText = "Where every job of a batch stands; without NAME, every batch that still has nodes or results.")]
internal sealed class StatusVerb : CommonOptions
{
    [Value(0, MetaName = "NAME", Required = false, HelpText = "The batch.")]
    public string? Name { get; set; }

    [Option("json", HelpText = "Print the status as JSON.")]
    public bool Json { get; set; }

    [Usage(ApplicationAlias = "awsrunner")]
    public static IEnumerable<Example> Examples =>
    [
        new("Every batch that still costs money or has results", new StatusVerb()),
        new("One row per job of a batch", new StatusVerb { Name = "sweep1" }),
    ];
}
