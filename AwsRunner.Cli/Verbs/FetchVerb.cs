using CommandLine;

namespace AwsRunner.Cli.Verbs;

[Verb("fetch", HelpText = "Bring every finished job's status, log and results into OUTDIR/INDEX/; what is there already stays.")]
internal sealed class FetchVerb : CommonOptions, IVerbHelp
{
    [Value(0, MetaName = "NAME", Required = true, HelpText = "The batch.")]
    public string Name { get; set; } = "";

    [Value(1, MetaName = "OUTDIR", Required = true, HelpText = "The folder to fill.")]
    public string Output { get; set; } = "";

    [Option("merge", HelpText = "Also merge every job's results (a CSV, a JSON object, or JSON lines) into this one CSV, each row led by batch, job and the job-file columns; a job whose results cannot be read is named, and fetch exits 1.")]
    public string? Merge { get; set; }

    [Option("merge-source", HelpText = "With --merge: the file inside each job's folder, e.g. output/results.csv or output/result.json (.json, .jsonl: JSON; default: each job's only CSV, else its only JSON file).")]
    public string? MergeSource { get; set; }

    [Option("max-result-size", HelpText = "The most one job may bring home, downloaded or unpacked (e.g. 200G; default 50G); a job over it is reported, not fetched.")]
    public string? MaxResultSize { get; set; }

    [Option("json", HelpText = "Print the summary as JSON.")]
    public bool Json { get; set; }

    public static string Synopsis => "awsrunner fetch NAME OUTDIR [--merge TABLE.csv [--merge-source PATH]] [--max-result-size SIZE] [OPTIONS]";

    public static IReadOnlyList<VerbExample> Examples =>
    [
        new("Bring a batch's results home", "awsrunner fetch sweep1 ./output"),
        new("... and merge the jobs' results into one table", "awsrunner fetch sweep1 ./output --merge sweep1.csv"),
        new("... taking each job's output/result.json", "awsrunner fetch sweep1 ./output --merge sweep1.csv --merge-source output/result.json"),
    ];
}
