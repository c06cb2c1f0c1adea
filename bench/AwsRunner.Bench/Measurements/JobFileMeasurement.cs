using System.Globalization;
using System.Text;
using AwsRunner.Bench.Infrastructure;
using AwsRunner.Bench.Report;

namespace AwsRunner.Bench.Measurements;

/// <summary>
/// Issue 7's measurement 4: parse and validate a large job file. The real CLI plans the batch on the local cloud
/// (<c>dispatch</c> without --create or --dispatch: everything is checked, nothing is created); a one-row file run
/// alternately beside it separates the cost of the rows from the cost of starting the command.
/// </summary>
internal sealed class JobFileMeasurement : IMeasurement
{
    public string Name => "job-file";

    public async Task<ReportSection> RunAsync(BenchContext context, CancellationToken cancellationToken)
    {
        var rows = context.Scale.JobFileRows;
        var large = await WriteJobFileAsync(context.Work.Fresh("job-file", "large"), rows, cancellationToken);
        var small = await WriteJobFileAsync(context.Work.Fresh("job-file", "small"), 1, cancellationToken);
        var runs = Math.Max(5, context.Options.Repeat);
        var largeRuns = new List<ToolResult>();
        var smallRuns = new List<ToolResult>();
        for (var round = 0; round < runs; round++)
        {
            largeRuns.Add(await PlanAsync(context, large, rows, cancellationToken));
            smallRuns.Add(await PlanAsync(context, small, 1, cancellationToken));
        }

        var wall = Median.Of(largeRuns.Select(r => r.Wall));
        var baseline = Median.Of(smallRuns.Select(r => r.Wall));
        var perRow = (wall - baseline).TotalMicroseconds / rows;
        var table = new MarkdownTable("", $"{Formats.Count(rows)} rows ({Formats.MiB(new FileInfo(large).Length)})", "1 row", "the rows' share")
            .Row("wall time (median)", Formats.Seconds(wall), Formats.Seconds(baseline), $"{Formats.Milliseconds(wall - baseline)}, {perRow.ToString("0.0", CultureInfo.InvariantCulture)} µs a row")
            .Row("CPU time (median)", Cpu(largeRuns), Cpu(smallRuns), "")
            .Row("peak memory (median)", Peak(largeRuns), Peak(smallRuns), "");
        var text = new StringBuilder()
            .AppendLine($"`awsrunner dispatch local NAME jobs.csv --cloud local` (the plan: every row parsed and checked, nothing created), {runs} runs of each file, alternately. " +
                "The rows have three extra columns (variables), and every tenth has a quoted command with commas and doubled quotes.")
            .AppendLine()
            .Append(table);
        return new ReportSection($"4. Job file scale: {Formats.Count(rows)} rows", text.ToString());
    }

    private static async Task<ToolResult> PlanAsync(BenchContext context, string jobFile, int rows, CancellationToken cancellationToken)
    {
        var home = context.Work.Fresh("job-file", "home");
        var result = await context.Tools.RunAsync(context.Cli, ["dispatch", "local", "bench-jobs", jobFile, "--cloud", "local"], context.Work.Path, cancellationToken,
            new Dictionary<string, string?> { ["AWSRUNNER_HOME"] = home });
        return result.Output.Contains($" {rows} (", StringComparison.Ordinal)
            ? result
            : throw new InvalidOperationException($"the plan does not count {rows} jobs:\n{result.Output}");
    }

    private static async Task<string> WriteJobFileAsync(string folder, int rows, CancellationToken cancellationToken)
    {
        var path = Path.Combine(folder, "jobs.csv");
        var text = new StringBuilder("instance_type,command,seed,learning_rate,dataset\n");
        string[] types = ["c5.large", "c5.xlarge", "r5.2xlarge"];
        for (var i = 0; i < rows; i++)
        {
            var command = i % 10 == 0
                ? "\"python3 train.py --seed $seed --tag \"\"run, with a comma\"\"\""
                : "python3 train.py --seed $seed --lr $learning_rate";
            text.Append(CultureInfo.InvariantCulture, $"{types[i % 3]},{command},{i},{0.001 * (1 + (i % 7)):0.000},imagenet-{i % 13}\n");
        }

        await File.WriteAllTextAsync(path, text.ToString(), cancellationToken);
        return path;
    }

    private static string Cpu(List<ToolResult> runs) =>
        runs.All(r => r.Cpu is not null) ? Formats.Seconds(Median.Of(runs.Select(r => r.Cpu!.Value))) : "n/a";

    private static string Peak(List<ToolResult> runs) =>
        runs.All(r => r.PeakKiB is not null) ? Formats.MiB(Median.Of(runs.Select(r => r.PeakKiB!.Value)) * 1024) : "n/a";
}
