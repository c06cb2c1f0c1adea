using CommandLine;

namespace AwsRunner.Cli.Verbs;

[Verb("logs", HelpText = "Print a job's log: from its node while it runs, from the bucket once the node is gone.")]
internal sealed class LogsVerb : CommonOptions, IVerbHelp
{
    [Value(0, MetaName = "NAME", Required = true, HelpText = "The batch.")]
    public string Name { get; set; } = "";

    [Value(1, MetaName = "INDEX", Required = true, HelpText = "The job, by its index (as status shows it: 7 or 0007).")]
    public int Index { get; set; }

    [Option('f', "follow", HelpText = "Keep printing what the job writes until it ends, then exit with its exit code.")]
    public bool Follow { get; set; }

    public static string Synopsis => "awsrunner logs NAME INDEX [--follow] [OPTIONS]";

    public static IReadOnlyList<VerbExample> Examples =>
    [
        new("Follow job 7's log to its end", "awsrunner logs sweep1 7 --follow"),
    ];
}
