using CommandLine;
using CommandLine.Text;

namespace AwsRunner.Cli.Verbs;

[Verb("logs", HelpText = "Print a job's log: from its node while it runs (the install log until the job starts), from the bucket once it is gone.")]
internal sealed class LogsVerb : CommonOptions
{
    [Value(0, MetaName = "NAME", Required = true, HelpText = "The batch.")]
    public string Name { get; set; } = "";

    [Value(1, MetaName = "INDEX", Required = true, HelpText = "The job, by its index (as status shows it: 7 or 0007).")]
    public int Index { get; set; }

    [Option('f', "follow", HelpText = "Keep printing what the job writes until it ends, then exit with its exit code.")]
    public bool Follow { get; set; }

    [Usage(ApplicationAlias = "awsrunner")]
    public static IEnumerable<Example> Examples =>
    [
        new("Follow job 7's log", new LogsVerb { Name = "sweep1", Index = 7, Follow = true }),
    ];
}
