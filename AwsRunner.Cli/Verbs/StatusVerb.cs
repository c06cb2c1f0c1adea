using CommandLine;

namespace AwsRunner.Cli.Verbs;

[Verb("status", HelpText = "Where every job of a batch stands; without NAME, every batch that still has nodes or results.")]
internal sealed class StatusVerb : CommonOptions, IVerbHelp
{
    [Value(0, MetaName = "NAME", Required = false, HelpText = "The batch.")]
    public string? Name { get; set; }

    [Option("watch", HelpText = "Keep the table up to date until every job has finished (Ctrl-C stops watching; the jobs go on).")]
    public bool Watch { get; set; }

    [Option("interval", HelpText = "With --watch: how often to look (default 2s on the local cloud, 10s on AWS).")]
    public string? Interval { get; set; }

    [Option("no-progress", HelpText = "With --watch: print the table again when it changes instead of redrawing it.")]
    public bool NoProgress { get; set; }

    [Option("json", HelpText = "Print the status as JSON (schema: docs/status-json.md).")]
    public bool Json { get; set; }

    public static string Synopsis => "awsrunner status [NAME] [--watch] [--json] [OPTIONS]";

    public static IReadOnlyList<VerbExample> Examples =>
    [
        new("Every batch that still costs money or has results", "awsrunner status"),
        new("One row per job of a batch", "awsrunner status sweep1"),
        new("Watch a batch until it has finished", "awsrunner status sweep1 --watch"),
    ];
}
